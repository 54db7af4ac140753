import DossierDomain
@testable import DossierPrivacy
import Foundation
import Testing

/// The pure parts of personal data protection: GB 11643, masks, the key
/// file, sealing, wrapping and blind indexes.
@Suite struct PrivacyTests {
    @Test func residentIDNumberCheckCharacter() {
        // The standard's example and one with X.
        #expect(ResidentIDNumber("11010519491231002X")?.rawValue == "11010519491231002X")
        #expect(ResidentIDNumber("11010519491231002x")?.rawValue == "11010519491231002X")
        #expect(ResidentIDNumber.checkCharacter(for: "11010519491231002") == "X")
        #expect(ResidentIDNumber("110105194912310021") == nil, "wrong check character")
        let month13 = "11010519491331002"
        #expect(ResidentIDNumber(month13 + String(ResidentIDNumber.checkCharacter(for: month13) ?? "0")) == nil, "no 13th month")
        let first17 = "44030419900230123"  // 30 February
        #expect(ResidentIDNumber(first17 + String(ResidentIDNumber.checkCharacter(for: first17) ?? "0")) == nil)
        #expect(ResidentIDNumber("1101051949123100") == nil)
        #expect(ResidentIDNumber("1101051949123100２X") == nil, "full-width digits are not digits here")
    }

    @Test func masks() {
        #expect(SensitiveField.phone.mask("13800000000") == "138****0000")
        #expect(SensitiveField.phone.mask("021-1234") == "02****34")
        #expect(SensitiveField.phone.mask("110") == "****")
        #expect(SensitiveField.idNumber.mask("11010519491231002X") == "110***********002X")
        #expect(SensitiveField.email.mask("wang@example.com") == "w***@example.com")
        #expect(SensitiveField.phone.mask("１３８００００００００") == "138****0000", "typed in full-width mode")
        #expect(SensitiveField.email.mask("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ") == "w***@example.com")
        #expect(SensitiveField.email.mask("nonsense") == "****")
        #expect(SensitiveField.address.mask("上海市浦东新区世纪大道100号") == "上海市浦东新****")
        #expect(SensitiveField.address.mask("上海") == "****")
        #expect(SensitiveField.bankAccount.mask("6222021234567890123") == "****0123")
        #expect(SensitiveField.phone.searchKey("138 0000-0000") == "13800000000")
        #expect(SensitiveField.idNumber.searchKey(" 11010519491231002x ") == "11010519491231002X")
        #expect(SensitiveField.email.searchKey("a@b.c") == nil)
        // Typed in an input method's full-width mode: the same key as its ASCII.
        #expect(SensitiveField.phone.searchKey("１３８　００００－００００") == "13800000000")
        #expect(SensitiveField.phone.searchKey("（０２１）６２３４５６７８") == "02162345678")
        #expect(SensitiveField.idNumber.searchKey("１１０１０５１９４９１２３１００２ｘ\u{3000}") == "11010519491231002X")
        #expect(SensitiveField.phone.fullWidthLegacyKey("13800000000") == "１３８００００００００")
    }

    static let keyText = """
        # comment
        k1 \(Data(repeating: 1, count: 32).base64EncodedString())

        k2 \(Data(repeating: 2, count: 32).base64EncodedString())
        """

    @Test func keyFile() throws {
        let keyring = try DataKeyring(text: Self.keyText)
        #expect(keyring.keys.map(\.id) == ["k1", "k2"])
        #expect(keyring.current.id == "k2")
        #expect(keyring.key(id: "k1")?.check != keyring.key(id: "k2")?.check)
        #expect(throws: DataKeyring.Failure.self) { try DataKeyring(text: "") }
        #expect(throws: DataKeyring.Failure.self) { try DataKeyring(text: "k1 short") }
        #expect(throws: DataKeyring.Failure.self) { try DataKeyring(text: "k1 \(Data(count: 32).base64EncodedString()) extra") }
        #expect(throws: DataKeyring.Failure.self) { try DataKeyring(text: "k1 \(Data(count: 32).base64EncodedString())\nk1 \(Data(count: 32).base64EncodedString())") }

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let made = try DataKeyring.loadOrCreate(file: path)
        #expect(try DataKeyring.loadOrCreate(file: path).current.check == made.current.check, "created once, then read")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let added = try DataKeyring.appendNewKey(file: path)
        let again = try DataKeyring.load(file: path)
        #expect(again.keys.count == 2 && again.current.id == added.id && again.keys[0].id == made.current.id)
    }

    @Test func sealingIsBoundToCustomerAndField() throws {
        let keyring = try DataKeyring(text: Self.keyText)
        let key = CustomerDataKey.generate()
        let sealed = try key.seal("13800000000", field: .phone, customer: "C-2026-00001")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("13800000000"))
        #expect(try key.open(sealed, field: .phone, customer: "C-2026-00001") == "13800000000")
        #expect(throws: CustomerDataKey.Failure.self) { try key.open(sealed, field: .phone, customer: "C-2026-00002") }
        #expect(throws: CustomerDataKey.Failure.self) { try key.open(sealed, field: .email, customer: "C-2026-00001") }
        #expect(throws: CustomerDataKey.Failure.self) { try CustomerDataKey.generate().open(sealed, field: .phone, customer: "C-2026-00001") }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(throws: CustomerDataKey.Failure.self) { try key.open(tampered, field: .phone, customer: "C-2026-00001") }
        #expect(try key.seal("13800000000", field: .phone, customer: "C-2026-00001") != sealed, "a fresh nonce each time")

        let text = try key.sealText("x@y.z", field: .email, customer: "C-1")
        #expect(text.hasPrefix("sealed:"))
        #expect(try key.openText(text, field: .email, customer: "C-1") == "x@y.z")
        #expect(try key.openText("clear from before", field: .email, customer: "C-1") == "clear from before")

        // Wrapped under a master key, bound to the customer.
        let wrapped = try key.wrapped(with: keyring.current, customer: "C-2026-00001")
        let unwrapped = try CustomerDataKey.unwrap(wrapped, keyID: "k2", customer: "C-2026-00001", keyring: keyring)
        #expect(try unwrapped.open(sealed, field: .phone, customer: "C-2026-00001") == "13800000000")
        #expect(throws: CustomerDataKey.Failure.self) {
            try CustomerDataKey.unwrap(wrapped, keyID: "k1", customer: "C-2026-00001", keyring: keyring)
        }
        #expect(throws: CustomerDataKey.Failure.self) {
            try CustomerDataKey.unwrap(wrapped, keyID: "k2", customer: "C-2026-00002", keyring: keyring)
        }
        #expect(throws: CustomerDataKey.Failure.self) {
            try CustomerDataKey.unwrap(wrapped, keyID: "k9", customer: "C-2026-00001", keyring: keyring)
        }
    }

    @Test func blindIndexes() throws {
        let keyring = try DataKeyring(text: Self.keyText)
        let k1 = try #require(keyring.key(id: "k1"))
        let index = try #require(BlindIndex.compute("138 0000 0000", field: .phone, master: k1))
        #expect(BlindIndex.compute("13800000000", field: .phone, master: k1) == index, "normalized")
        #expect(BlindIndex.compute("13800000000", field: .phone, master: keyring.current) != index, "per master key")
        #expect(BlindIndex.compute("１３８ ００００ ００００", field: .phone, master: k1) == index, "full-width input folded")
        // An index written before the folding held a full-width value as typed: lookups try that form too.
        let legacy = BlindIndex.index("１３８００００００００", field: .phone, master: k1)
        let candidates = BlindIndex.candidates("138-0000-0000", keyring: keyring)
        #expect(candidates.contains(index) && candidates.contains(legacy))
        #expect(BlindIndex.candidates("１３８００００００００", keyring: keyring).contains(legacy))
        #expect(BlindIndex.compute("13800000000", field: .idNumber, master: k1) != index, "per field")
        #expect(BlindIndex.compute("a@b.c", field: .email, master: k1) == nil, "e-mail has none")
        #expect(BlindIndex.candidates("13800000000", keyring: keyring).count == 8,
                "two keys × two indexed fields × the key and its full-width form")
        #expect(BlindIndex.candidates("\u{3000}", keyring: keyring).isEmpty, "no key, no lookup")
    }
}
