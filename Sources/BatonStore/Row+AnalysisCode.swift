import BatonCore
import GRDB

extension Row {
    /// The `analysis` column as a code. Baton writes only codes it knows, so another value is a corrupt record (or
    /// a file written by a newer version) and is reported rather than guessed.
    func analysisCode() throws -> AnalysisCode {
        let text: String = self["analysis"]
        guard let code = AnalysisCode(rawValue: text) else {
            throw StoreError(.corruptRecord, "unknown analysis code \"\(text)\"")
        }
        return code
    }
}
