import DossierDomain

/// One change to a dossier (`DOSSIER EDIT`). Category, customer and owner are not
/// editable: the category is part of the archive number, and ownership moves only by
/// `USER LEAVE` handover. `location` may be cleared with `location=""`.
public enum DossierChange: FieldChange {
    case title(String)
    case level(Level)
    case scope(Scope)
    case location(String?)

    public var field: String {
        switch self {
        case .title: "title"
        case .level: "level"
        case .scope: "scope"
        case .location: "location"
        }
    }

    public var wireValue: String {
        switch self {
        case .title(let title): title
        case .level(let level): level.rawValue
        case .scope(let scope): scope.rawValue
        case .location(let location): location ?? ""
        }
    }
}
