import BatonCore
import BatonEngine
import BatonHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct OperatorRoutesTests {
    typealias T = BatonAPITests

    static func envelope(_ response: TestResponse) throws -> APIResponse<String> {
        try JSONDecoder().decode(APIResponse<String>.self, from: Data(response.body.readableBytesView))
    }

    @Test func downtimeIsShownInTheInstanceTheListAndTheAnalysis() async throws {
        let fixture = try await T.fixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/begin-downtime/10.0.0.1/3/ops/backup%20run/1h", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/instance/10.0.0.1/3", method: .get) { response in
                let instance = try JSONDecoder().decode(InstanceDocument.self, from: Data(response.body.readableBytesView))
                #expect(instance.isDowntimed)
                #expect(instance.downtimeOwner == "ops")
                #expect(instance.downtimeReason == "backup run")
                #expect(!instance.downtimeEndTimestamp.isEmpty)
            }
            try await client.execute(uri: "/api/downtimed", method: .get) { response in
                let keys = try JSONDecoder().decode([InstanceDocument].self, from: Data(response.body.readableBytesView))
                    .map(\.key)
                #expect(keys == [T.key(3)])
            }
        }
        let row = fixture.detector.analyze().first { $0.analyzedInstanceKey == T.key(3) }
        #expect(row?.isDowntimed == true)
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/end-downtime/10.0.0.1/3", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/end-downtime/10.0.0.1/3", method: .get) { response in
                #expect(response.status == .internalServerError, "not downtimed any more")
            }
        }
    }

    @Test(arguments: [
        "/api/begin-downtime/10.0.0.1/3/ops/reason/tomorrow", "/api/begin-downtime/10.0.0.1/99/ops/reason",
        "/api/register-candidate/10.0.0.1/2/must", "/api/register-candidate/10.0.0.1/2/best",
        "/api/register-candidate/10.0.0.1/99/prefer",
    ])
    func badOperatorRequestsAreClearErrors(uri: String) async throws {
        let fixture = try await T.fixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .internalServerError)
                let envelope = try Self.envelope(response)
                #expect(envelope.code == .error)
            }
        }
    }

    @Test func candidateRegistrationSetsThePromotionRule() async throws {
        let fixture = try await T.fixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/register-candidate/10.0.0.1/2/prefer", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/instance/10.0.0.1/2", method: .get) { response in
                let instance = try JSONDecoder().decode(InstanceDocument.self, from: Data(response.body.readableBytesView))
                #expect(instance.promotionRule == "prefer")
                #expect(instance.isCandidate)
            }
        }
        #expect(fixture.controls.promotionRule(of: T.key(2), at: Date()) == .prefer)
    }

    @Test func globalRecoverySwitch() async throws {
        let fixture = try await T.fixture()
        try await fixture.app.test(.router) { client in
            for (uri, expected) in [
                ("/api/check-global-recoveries", "enabled"), ("/api/disable-global-recoveries", "disabled"),
                ("/api/check-global-recoveries", "disabled"), ("/api/enable-global-recoveries", "enabled"),
                ("/api/check-global-recoveries", "enabled"),
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    let envelope = try Self.envelope(response)
                    #expect(envelope.details == expected, "\(uri)")
                }
            }
        }
    }

    @Test func basicAuthenticationProtectsEverythingButHealthChecks() async throws {
        let fixture = try await T.fixture(
            authentication: APIAuthentication(method: .basic, user: "ops", password: Secret("s3cret")))
        let good = "Basic " + Data("ops:s3cret".utf8).base64EncodedString()
        let bad = "Basic " + Data("ops:wrong".utf8).base64EncodedString()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/clusters", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Basic realm=\"baton\"")
                let envelope = try Self.envelope(response)
                #expect(envelope.message == "Unauthorized")
            }
            try await client.execute(uri: "/api/forget/10.0.0.1/2", method: .get, headers: [.authorization: bad]) {
                response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/clusters", method: .get, headers: [.authorization: good]) { response in
                #expect(response.status == .ok)
            }
            for open in ["/api/lb-check", "/api/leader-check", "/api/health", "/metrics"] {
                try await client.execute(uri: open, method: .get) { response in
                    #expect(response.status == .ok, "\(open)")
                }
            }
        }
        #expect(fixture.monitor.registry.contains(T.key(2)), "the refused forget changed nothing")
    }

    @Test func readOnlyRefusesMutatingRoutesOnly() async throws {
        let fixture = try await T.fixture(authentication: APIAuthentication(readOnly: true))
        try await fixture.app.test(.router) { client in
            for uri in [
                "/api/forget/10.0.0.1/2", "/api/begin-downtime/10.0.0.1/2/ops/x", "/api/disable-global-recoveries",
                "/api/discover/10.0.0.1/2", "/api/register-candidate/10.0.0.1/2/prefer",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/instance/10.0.0.1/2", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(fixture.controls.recoveriesEnabled)
    }
}
