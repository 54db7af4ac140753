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

    public var description: String {
        switch self {
        case .archive(let number): number.description
        case .draft(let id): id.description
        }
    }
}
