import BatonCore
import BatonStore
import Foundation

/// Registered failure detections and the analysis changelog, as the API reads them.
public struct FailureDetectionLog: Sendable {
    let database: BatonDatabase

    /// Detections, newest first, one page.
    public func detections(page: Int = 0, limit: Int = 20) throws -> [FailureDetectionRecord] {
        try database.failureDetections(page: page, limit: limit)
    }

    public func detection(id: Int64) throws -> FailureDetectionRecord? {
        try database.failureDetection(id: id)
    }

    /// The latest analysis changes of every instance.
    public func changelog() throws -> [InstanceKey: [AnalysisChange]] {
        try database.analysisChangelog()
    }
}
