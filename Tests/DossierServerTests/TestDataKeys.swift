import DossierPrivacy
import DossierServer
import Foundation
import TestSupport

/// The test data keys parsed: `first` (what every test daemon has) and `both`
/// (a second key added and current), to rotate from the first to the second.
enum TestDataKeys {
    // Fixed text of the test target: parsing cannot fail.
    // swiftlint:disable force_try
    static let first = try! DataKeyring(text: TestDataKeyFile.firstLine)
    static let both = try! DataKeyring(text: TestDataKeyFile.firstLine + "\n" + TestDataKeyFile.secondLine)
    // swiftlint:enable force_try
}

extension PersonalData {
    /// The keys every in-process test server is given (`TestServer`).
    static let test = PersonalData(keyring: TestDataKeys.first)
}
