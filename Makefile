# The two README commands, and the steps they are made of.
SWIFT ?= swift
RELEASE_DIR = .build/release
DEBUG_DIR = .build/debug

.PHONY: demo test deps build-release build-debug plugins bench bench-backtest clean

# Main job on the embedded default: paper mode, generated deterministic market day.
demo: deps build-release
	scripts/install-plugins.sh $(RELEASE_DIR) plugins
	mkdir -p output/state
	$(RELEASE_DIR)/tbot plugins check
	$(RELEASE_DIR)/tbot demo
	scripts/demo-replay.sh $(RELEASE_DIR)

# Every test: unit, loader against real .so files, ABI walk-throughs, CLI end to end.
# The suites are XCTest; Swift Testing is off so its empty run is not the last word.
test: deps build-debug
	$(SWIFT) test --disable-swift-testing

deps:
	scripts/install-deps.sh

# A plain `swift build` builds every product, plugins and test fixtures included.
build-release:
	$(SWIFT) build -c release

build-debug:
	$(SWIFT) build

plugins: build-release
	scripts/install-plugins.sh $(RELEASE_DIR) plugins

bench: deps build-release
	$(RELEASE_DIR)/tbot bench abi

# The backtester against issue 6's targets: 1,000,000 generated minute bars, peak RSS, backtrader.
bench-backtest:
	scripts/bench-backtest.sh

clean:
	rm -rf .build plugins
