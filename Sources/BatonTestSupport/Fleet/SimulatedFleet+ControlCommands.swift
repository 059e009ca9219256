import BatonCore

extension SimulatedFleet {
    /// Carries out one control line and returns the answer (errors are answers too, with `ok` false).
    public func perform(_ line: String) async -> FleetControlResponse {
        do {
            return try await perform(try FleetControlCommand.parse(line))
        } catch {
            return FleetControlResponse(ok: false, error: "\(error)")
        }
    }

    public func perform(_ command: FleetControlCommand) async throws -> FleetControlResponse {
        switch command {
        case .help:
            return FleetControlResponse(message: FleetControlCommand.usage)
        case .list:
            return FleetControlResponse(instances: instances)
        case .status(let targets):
            if targets.isEmpty { return FleetControlResponse(instances: instances) }
            var statuses: [FleetInstanceStatus] = []
            for key in try resolve(targets) { statuses.append(try status(key)) }
            return FleetControlResponse(instances: statuses)
        case .kill(let targets):
            let keys = try resolve(targets)
            try await kill(keys)
            return FleetControlResponse(message: "killed \(keys.count)")
        case .restart(let targets):
            let keys = try resolve(targets)
            for key in keys { try await restart(key) }
            return FleetControlResponse(message: "restarted \(keys.count)")
        case .hang(let targets):
            return try eachTarget(targets, "hung") { try self.hang($0) }
        case .delay(let milliseconds, let targets):
            return try eachTarget(targets, "delayed") { try self.delayAnswers($0, by: .milliseconds(milliseconds)) }
        case .partial(let targets):
            return try eachTarget(targets, "partial answers on") { try self.sendPartialAnswers($0) }
        case .garbage(let targets):
            return try eachTarget(targets, "garbage on") { try self.sendGarbage($0) }
        case .clear(let targets):
            return try eachTarget(targets, "cleared") { try self.clearFaults($0) }
        case .lag(let seconds, let targets):
            return try eachTarget(targets, "lag set on") { try self.setLag($0, seconds: seconds) }
        case .partition(let sideA, let sideB, let mode):
            let cut = partition(try endpoints(sideA), from: try endpoints(sideB), mode: mode)
            return FleetControlResponse(message: "partition \(cut.id)", partition: cut.id)
        case .heal(let id):
            if let id {
                guard let cut = inspect({ $0.partitions.first { $0.id == id } }) else {
                    throw FleetError(code: .badCommand, message: "no partition \(id)")
                }
                heal(cut)
            } else {
                healAll()
            }
            return FleetControlResponse(message: "healed \(id.map(String.init) ?? "all")")
        case .write(let target, let count):
            let keys = try resolve([target])
            for key in keys { try write(to: key, transactions: count) }
            return FleetControlResponse(message: "wrote \(count) on \(keys.count)")
        case .writePrimaries(let count):
            writeToPrimaries(transactions: count)
            return FleetControlResponse(message: "wrote \(count) on every writable primary")
        case .journal(let after):
            return FleetControlResponse(events: journal.filter { $0.sequence > after }.map(\.description))
        }
    }

    private func eachTarget(
        _ targets: [String], _ what: String, _ body: (InstanceKey) throws -> Void
    ) throws -> FleetControlResponse {
        let keys = try resolve(targets)
        for key in keys { try body(key) }
        return FleetControlResponse(message: "\(what) \(keys.count)")
    }

    /// Names, `host:port` keys and `cluster:NAME` to keys.
    public func resolve(_ targets: [String]) throws(FleetError) -> [InstanceKey] {
        var resolved: [InstanceKey] = []
        for target in targets {
            if target.hasPrefix("cluster:") {
                let members = keys(inCluster: String(target.dropFirst("cluster:".count)))
                guard !members.isEmpty else { throw FleetError(code: .unknownInstance, message: "no cluster \(target)") }
                resolved += members
            } else if let key = key(target) {
                resolved.append(key)
            } else if let key = InstanceKey(parsing: target, defaultPort: 3306), (try? status(key)) != nil {
                resolved.append(key)
            } else {
                throw FleetError(code: .unknownInstance, message: "no simulated server is named or listens on \(target)")
            }
        }
        return resolved
    }

    private func endpoints(_ members: [String]) throws(FleetError) -> [FleetEndpoint] {
        var endpoints: [FleetEndpoint] = []
        for member in members {
            if member.lowercased() == "baton" {
                endpoints.append(.baton)
            } else {
                endpoints += try resolve([member]).map { .instance($0) }
            }
        }
        return endpoints
    }
}
