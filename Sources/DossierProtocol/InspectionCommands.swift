import DossierDomain

/// `INSPECTION OPEN [location=<prefix>]`: the archivist opens an inspection
/// of their department's cabinets (or of the locations starting with a prefix).
public struct InspectionOpen: Hashable, Sendable {
    public var location: String?
    public init(location: String? = nil) { self.location = location }
}

/// `INSPECTION CHECK <ref> present|missing|damaged [location=] [note=]`.
public struct InspectionCheck: Hashable, Sendable {
    public var ref: DossierRef
    public var result: InspectionResult
    /// Where it was found, when that is not where the register says.
    public var location: String?
    public var note: String?
    public init(ref: DossierRef, result: InspectionResult, location: String? = nil, note: String? = nil) {
        self.ref = ref; self.result = result; self.location = location; self.note = note
    }
}

/// `INSPECTION LIST [status=open|closed] [limit=]`.
public struct InspectionList: Hashable, Sendable {
    /// Which inspections `INSPECTION LIST status=` selects.
    public enum Status: String, WireEnum {
        case open
        case closed
    }

    public var status: Status?
    public var limit: Int?
    public init(status: Status? = nil, limit: Int? = nil) { self.status = status; self.limit = limit }
}
