/// How a dossier is destroyed.
public enum DestructionMethod: String, WireEnum {
    /// Paper is shredded.
    case shred
    /// Electronic copies are erased.
    case erase
}
