/// How a request names a dossier: its archive number or its draft id. Both keep
/// working after filing, so resolving a reference is the store's job.
public enum DossierRef: Hashable, Sendable, LosslessStringConvertible {
    case archive(ArchiveNumber)
    case draft(DraftID)

    public init?(_ text: String) {
        if let draft = DraftID(text) {
            self = .draft(draft)
        } else if let number = ArchiveNumber(text) {
            self = .archive(number)
        } else {
            return nil
        }
    }

    /// The draft id, when the reference names the dossier by it (`D<n>`).
    public var draftID: Int64? {
        if case .draft(let id) = self { id.value } else { nil }
    }

    /// The archive number, when the reference names the dossier by it.
    public var archiveNumber: String? {
        if case .archive(let number) = self { number.description } else { nil }
    }

    public var description: String {
        switch self {
        case .archive(let number): number.description
        case .draft(let id): id.description
        }
    }
}
