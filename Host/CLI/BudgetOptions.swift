import ArgumentParser
import Foundation
import TBotCore

/// What every budget command opens: the ledger of the mode, the declared plan (validated as
/// a whole, exit 2 when it does not hold), and the open positions read back from the ledger.
struct BudgetOptions: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions

    struct Opened {
        let budgets: BudgetBook
        let book: PositionBook
        let manifestsDirectory: String
    }

    func open() throws -> Opened {
        let setup = try ledger.host.setup()
        let plan: BudgetPlan
        switch BudgetPlan.load(manifestsDirectory: setup.manifestsDirectory) {
        case .failure(let error):
            Console.error(error.description)
            throw ExitCodes.invalidConfiguration
        case .success(let loaded): plan = loaded
        }
        let layout = try ledger.layout()
        let books = try ledger.open()
        do {
            let budgets = try BudgetBook(ledger: books, plan: plan)
            guard budgets.accountState != nil else {
                Console.error("\(books.path): the budgets are not in these books yet; a session sets them up (tbot demo)")
                throw ExitCodes.failure
            }
            let book = try LedgerBookLoader.book(from: books, brokerCode: layout.identity.broker, brokerID: nil, uuidNamespace: "report")
            return Opened(budgets: budgets, book: book, manifestsDirectory: setup.manifestsDirectory)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Console.error("\(error)")
            throw ExitCodes.failure
        }
    }

    /// Bots holding open positions: their budgets are not withdrawn under them.
    static func holdingBots(_ book: PositionBook) -> Set<String> { Set(book.holdings.values.map(\.bot)) }
}

/// Runs an operator action and turns a refusal into a message and exit 1.
func operatorAction(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Console.error("\(error)")
        throw ExitCodes.failure
    }
}

/// The wall clock, in UTC: operators' decisions are stamped with when they were made.
var operatorNow: Int64 { SystemClock().nowNanoseconds }

extension Console {
    /// JSON with the seed's snake_case keys.
    static func snakeJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// True when stdout is a terminal: bars are drawn with block characters only then.
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
