// Smoke tests for a machine with a Swift toolchain (not run in this repository's CI).
import XCTest
@testable import kmskit

/// A custom credentials provider: the Swift side of the `CredentialsProvider` protocol.
final class FixedProvider: CredentialsProvider {
    func credentials() async throws -> CredentialValue {
        CredentialValue(accessKeyId: "id", accessKeySecret: "fixed-secret")
    }
}

final class KmskitTests: XCTestCase {
    func testVersionAndOperations() {
        XCTAssertFalse(version().isEmpty)
        XCTAssertEqual(coreOperations().count, 6)
        XCTAssertEqual(instanceOperations().count, 15)
        XCTAssertTrue(credentialsTypes().contains("RamRoleArn"))
    }

    func testCredentialsNestAndNeverPrintSecrets() throws {
        let role = Credentials.ramRoleArn(
            source: .custom(provider: FixedProvider()), roleArn: "acs:ram::1:role/r",
            stsEndpoint: "http://127.0.0.1:9")
        XCTAssertFalse(role.debugDescription.contains("fixed-secret"))
        _ = try KmsClient(options: ClientOptions(region: "cn-hangzhou", credentials: role))
    }

    func testInstanceNeedsAClientKey() throws {
        let client = try KmsClient(options: ClientOptions(region: "cn-hangzhou",
            credentials: .accessKey(id: "id", secret: "secret")))
        XCTAssertEqual(client.route(), "auto")
        XCTAssertThrowsError(try client.instance())
        XCTAssertThrowsError(try ClientKey.fromJson(json: "{}", password: "x")) { error in
            guard case KmsException.Credentials(let code, _, _, _, _, _, _) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(code, 1202)
        }
    }

    func testBadSignatureVersionIsAConfigurationError() {
        XCTAssertThrowsError(try KmsClient(options: ClientOptions(region: "cn-hangzhou", signatureVersion: "v9"))) { error in
            guard case KmsException.Configuration(let code, _, _, _, _, _, _) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(code / 100, 11)
        }
    }

    func testClosedPortIsANetworkError() async throws {
        let client = try KmsClient(options: ClientOptions(
            endpoint: "http://127.0.0.1:9", region: "cn-hangzhou", maxAttempts: 1,
            credentials: .accessKey(id: "id", secret: "secret")))
        do {
            _ = try await client.encrypt(keyId: "k", plaintext: Data("x".utf8))
            XCTFail("encrypt to a closed port succeeded")
        } catch KmsException.Network(let code, _, _, _, _, _, _) {
            XCTAssertEqual(code, 2001)
        }
    }
}
