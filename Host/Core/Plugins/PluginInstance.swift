import Foundation
import TBotPluginAPI

/// A created plugin instance that passed self_check. Destroyed when released; the library
/// stays mapped.
public final class PluginInstance {
    public let library: PluginLibrary
    let handle: UnsafeMutableRawPointer
    private let services: HostServices

    public var info: PluginDescriptorInfo { library.info }
    var descriptor: tbot_plugin_descriptor_t { library.descriptor }

    private init(library: PluginLibrary, handle: UnsafeMutableRawPointer, services: HostServices) {
        self.library = library
        self.handle = handle
        self.services = services
    }

    deinit { descriptor.destroy(handle) }

    /// create with the manifest's parameters, then self_check before any other call.
    /// A failure names the file and carries the plugin's own message.
    public static func make(
        library: PluginLibrary, parameters: [ManifestParameter], environment: HostEnvironment
    ) -> Result<PluginInstance, PluginLoadFailure> {
        let descriptor = library.descriptor
        let services = HostServices(pluginID: library.info.id, environment: environment)
        let arena = CStringArena()
        let items = parameters.map {
            tbot_param_t(size: ABIStruct.size(tbot_param_t.self), key: arena.copy($0.key), value: arena.copy($0.value))
        }
        let (created, createMessage) = items.withUnsafeBufferPointer { buffer in
            var params = tbot_params_t(size: ABIStruct.size(tbot_params_t.self), count: UInt32(buffer.count), items: buffer.baseAddress)
            return CStrings.withMessageBuffer { err, cap in descriptor.create(services.table, &params, err, cap) }
        }
        guard let handle = created else {
            let detail = createMessage.isEmpty ? "no reason given" : createMessage
            return .failure(PluginLoadFailure(path: library.path, problem: "create returned NULL: \(detail)"))
        }
        let instance = PluginInstance(library: library, handle: handle, services: services)
        let (status, reason) = CStrings.withMessageBuffer { buffer, cap in descriptor.self_check(handle, buffer, cap) }
        guard status == TBOT_OK else {
            let detail = reason.isEmpty ? "status \(status), no reason given" : reason
            return .failure(PluginLoadFailure(path: library.path, problem: "self_check failed: \(detail)"))
        }
        return .success(instance)
    }

    /// The plugin's optional capability table for `id`, or nil.
    public func extensionTable(_ id: String) -> UnsafeRawPointer? {
        guard let query = descriptor.get_extension else { return nil }
        return id.withCString { query(handle, $0) }
    }

    public func hasCapability(_ id: String) -> Bool { extensionTable(id) != nil }
}
