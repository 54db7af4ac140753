/// Whether a user is sales or service staff; penalties differ (RULES.md, "Penalties").
public enum StaffLine: String, WireEnum {
    case sales
    case service
}
