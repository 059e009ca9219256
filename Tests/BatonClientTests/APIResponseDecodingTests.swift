import BatonClient
import BatonCore
import Testing

@Suite struct APIResponseDecodingTests {
    let url = "http://db-admin:3000/api/test"

    @Test func readsTheDetailsOfAnOKEnvelope() throws {
        let body = #"{"Code":"OK","Message":"Instance forgotten","Details":{"Hostname":"db1","Port":3306}}"#
        let key = try APIResponseDecoding.decodeEnvelope(
            InstanceKey.self, from: APITransportResponse(status: 200, body: body), url: url)
        #expect(key == InstanceKey(hostname: "db1", port: 3306))
    }

    @Test func readsAStringDetails() throws {
        let body = #"{"Code":"OK","Message":"","Details":"db1:3306\n+ db2:3306\n"}"#
        let tree = try APIResponseDecoding.decodeEnvelope(
            String.self, from: APITransportResponse(status: 200, body: body), url: url)
        #expect(tree == "db1:3306\n+ db2:3306\n")
    }

    @Test(arguments: [200, 404, 500])
    func anErrorEnvelopeCarriesTheServersMessage(status: Int) {
        let body = #"{"Code":"ERROR","Message":"Cannot read instance: db9:3306","Details":null}"#
        #expect {
            try APIResponseDecoding.decodeRaw(
                InstanceDocument.self, from: APITransportResponse(status: status, body: body), url: url)
        } throws: { error in
            guard let error = error as? BatonAPIError else { return false }
            return error.code == .serverError && error.message == "Cannot read instance: db9:3306"
                && error.httpStatus == status && error.url == url
        }
    }

    @Test func readsARawArray() throws {
        let names = try APIResponseDecoding.decodeRaw(
            [String].self, from: APITransportResponse(status: 200, body: #"["a:3306","b:3306"]"#), url: url)
        #expect(names == ["a:3306", "b:3306"])
    }

    @Test func readsClustersInfo() throws {
        let body = #"[{"ClusterName":"db1:3306","ClusterAlias":"main","ClusterDomain":"","CountInstances":3,"#
            + #""HeuristicLag":0,"HasAutomatedMasterRecovery":true,"HasAutomatedIntermediateMasterRecovery":false}]"#
        let clusters = try APIResponseDecoding.decodeRaw(
            [ClusterInfo].self, from: APITransportResponse(status: 200, body: body), url: url)
        #expect(clusters.map(\.clusterName) == ["db1:3306"])
    }

    @Test(arguments: ["<html>Bad gateway</html>", "", "{\"Code\":"])
    func aBodyThatIsNotJSONIsAnInvalidResponse(body: String) {
        #expect {
            try APIResponseDecoding.decodeRaw(
                [String].self, from: APITransportResponse(status: 200, body: body), url: url)
        } throws: { error in
            guard let error = error as? BatonAPIError else { return false }
            return error.code == .invalidResponse && error.message.contains("not JSON")
                && error.message.contains(url)
        }
    }

    @Test func jsonOfTheWrongShapeIsAnInvalidResponse() {
        #expect {
            try APIResponseDecoding.decodeRaw(
                [String].self, from: APITransportResponse(status: 200, body: #"{"a":1}"#), url: url)
        } throws: { error in
            guard let error = error as? BatonAPIError else { return false }
            return error.code == .invalidResponse && error.message.contains("not the expected document")
        }
    }

    @Test func anHTTPErrorWithoutAnEnvelopeNamesTheStatus() {
        #expect {
            try APIResponseDecoding.decodeRaw(
                [String].self, from: APITransportResponse(status: 502, body: "<html>Bad gateway</html>"), url: url)
        } throws: { error in
            guard let error = error as? BatonAPIError else { return false }
            return error.code == .serverError && error.message == "the API at \(url) answered HTTP 502"
        }
    }

    @Test func anOKEnvelopeWithoutDetailsIsAnInvalidResponse() {
        #expect {
            try APIResponseDecoding.decodeEnvelope(
                InstanceKey.self, from: APITransportResponse(status: 200, body: #"{"Code":"OK","Message":""}"#),
                url: url)
        } throws: { error in
            (error as? BatonAPIError)?.code == .invalidResponse
        }
    }

    @Test func aRawDocumentIsNotMistakenForAnError() throws {
        // A 200 answer whose body merely has a Message field is not an error.
        let info = try APIResponseDecoding.decodeRaw(
            [String: String].self, from: APITransportResponse(status: 200, body: #"{"Message":"hi"}"#), url: url)
        #expect(info == ["Message": "hi"])
    }
}
