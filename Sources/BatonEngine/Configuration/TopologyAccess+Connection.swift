import BatonCore
import BatonMySQL

extension BatonConfiguration.TopologyAccess {
    /// How to connect to one watched server: these credentials, TLS settings and connect timeout, with
    /// `queryTimeout` for its statements (the prober uses `MySQLDiscoveryReadTimeoutSeconds`, recoveries
    /// `MySQLTopologyReadTimeoutSeconds`).
    public func connectionConfiguration(for key: InstanceKey, queryTimeout: Duration) -> MySQLConnectionConfiguration {
        let mode: MySQLTLSConfiguration.Mode =
            switch tlsMode {
            case .disabled: .disabled
            case .preferred: .preferred
            case .required: .required
            }
        let tls = MySQLTLSConfiguration(
            mode: mode, verification: tlsSkipVerify ? .none : .full,
            caFile: tlsCAFile.isEmpty ? nil : tlsCAFile,
            certificateFile: tlsCertFile.isEmpty ? nil : tlsCertFile,
            privateKeyFile: tlsKeyFile.isEmpty ? nil : tlsKeyFile)
        return MySQLConnectionConfiguration(
            host: key.hostname, port: key.port, user: user, password: password.value,
            connectTimeout: .seconds(connectTimeoutSeconds), queryTimeout: queryTimeout, tls: tls)
    }
}
