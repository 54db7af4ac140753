/// Management scope (分级管理): who manages a dossier and whose approval others need.
public enum Scope: String, WireEnum {
    case personal
    case department
    case company
}
