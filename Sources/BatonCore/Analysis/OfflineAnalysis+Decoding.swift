import Foundation

extension OfflineAnalysis {
    /// Decodes a snapshot file: a JSON array of Instance objects as `GET /api/all-instances` returns them.
    /// - Throws: `OfflineAnalysisError` `.notJSON` (with the position of the syntax error when the parser gives
    ///   one), `.notAnArray`, or `.malformedInstance` naming the entry (from 1), its key when readable, and the
    ///   field that is missing, null or of the wrong type.
    public static func decodeDocuments(_ data: Data) throws(OfflineAnalysisError) -> [InstanceDocument] {
        let shape: JSONShape
        do {
            shape = try JSONDecoder().decode(JSONShape.self, from: data)
        } catch {
            throw notJSON(data, error)
        }
        guard case .array(let entries) = shape else {
            var message = "the snapshot is \(shape.kind), not an array of Instance objects"
            if case .object(let key?) = shape {
                message += " (it looks like one Instance, \(key): put it in [ ] to analyse it alone)"
            }
            throw OfflineAnalysisError(code: .notAnArray, message: message)
        }
        for (index, entry) in entries.enumerated() {
            guard case .object = entry else {
                throw OfflineAnalysisError(
                    code: .malformedInstance, index: index,
                    message: "entry \(index + 1) of the snapshot is \(entry.kind), not an Instance object")
            }
        }
        do {
            return try JSONDecoder().decode([InstanceDocument].self, from: data)
        } catch let error as DecodingError {
            throw malformedInstance(error, entries: entries)
        } catch {
            throw OfflineAnalysisError(
                code: .malformedInstance, message: "cannot read the snapshot's instances: \(error)")
        }
    }

    private static func notJSON(_ data: Data, _ error: any Error) -> OfflineAnalysisError {
        if data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            return OfflineAnalysisError(
                code: .notJSON, message: "the snapshot is empty: it must be a JSON array of Instance objects",
                underlying: error)
        }
        return OfflineAnalysisError(
            code: .notJSON, message: "the snapshot is not valid JSON" + (syntaxError(in: data).map { ": \($0)" } ?? ""),
            underlying: error)
    }

    /// The JSON parser's description of the syntax error, with the line and column of the offset it names.
    private static func syntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            guard var text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else { return nil }
            if text.hasSuffix(".") { text.removeLast() }
            guard let range = text.range(of: "character "),
                let offset = Int(text[range.upperBound...].prefix { $0.isNumber }), offset <= data.count
            else { return text }
            let before = data.prefix(offset)
            let line = before.count { $0 == 0x0A } + 1
            let column = offset - (before.lastIndex(of: 0x0A).map { $0 - data.startIndex + 1 } ?? 0) + 1
            return "\(text) (line \(line), column \(column))"
        }
    }

    private static func malformedInstance(_ error: DecodingError, entries: [JSONShape]) -> OfflineAnalysisError {
        let context: DecodingError.Context
        var missingKey: (any CodingKey)?
        switch error {
        case .keyNotFound(let key, let found): (context, missingKey) = (found, key)
        case .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found): context = found
        @unknown default:
            return OfflineAnalysisError(
                code: .malformedInstance, message: "cannot read the snapshot's instances: \(error)", underlying: error)
        }
        var path = context.codingPath
        guard let index = path.first?.intValue else {
            return OfflineAnalysisError(
                code: .malformedInstance, message: "cannot read the snapshot's instances: \(context.debugDescription)",
                underlying: error)
        }
        path.removeFirst()
        var instance: InstanceKey?
        if index < entries.count, case .object(let key) = entries[index] { instance = key }
        let entry = "entry \(index + 1) of the snapshot" + (instance.map { " (\($0))" } ?? "")
        let container = fieldPath(path)
        let message: String
        let field: String
        if let missingKey {
            field = fieldPath(path + [missingKey])
            message =
                "\(entry) has no \"\(missingKey.stringValue)\" field" + (path.isEmpty ? "" : " in \"\(container)\"")
        } else if case .valueNotFound = error {
            field = container
            message = "\(entry): \"\(field)\" is null"
        } else {
            field = container
            message = "\(entry): \"\(field)\": \(context.debugDescription)"
        }
        return OfflineAnalysisError(
            code: .malformedInstance, index: index, instance: instance, field: field, message: message,
            underlying: error)
    }

    /// `Key.Port`, `Replicas[0].Hostname`.
    private static func fieldPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let position = key.intValue {
                text += "[\(position)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}

/// What a JSON value is, read before decoding Instance documents so that errors can name the entry and its key.
private enum JSONShape: Decodable {
    case object(key: InstanceKey?)
    case array([JSONShape])
    case string, number, boolean, null

    private struct Field: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Field.self) {
            self = .object(key: try? object.decode(InstanceKey.self, forKey: Field(stringValue: "Key")))
        } else if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONShape] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONShape.self)) }
            self = .array(elements)
        } else {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() {
                self = .null
            } else if (try? value.decode(Bool.self)) != nil {
                self = .boolean
            } else if (try? value.decode(String.self)) != nil {
                self = .string
            } else {
                _ = try value.decode(Double.self)
                self = .number
            }
        }
    }

    var kind: String {
        switch self {
        case .object: "a JSON object"
        case .array: "a JSON array"
        case .string: "a string"
        case .number: "a number"
        case .boolean: "a boolean"
        case .null: "null"
        }
    }
}
