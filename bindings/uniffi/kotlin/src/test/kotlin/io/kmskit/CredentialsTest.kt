package io.kmskit

import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.math.BigInteger
import java.net.InetSocketAddress
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.RSAPublicKey
import java.time.Instant
import java.time.temporal.ChronoUnit
import java.util.Base64
import java.util.concurrent.atomic.AtomicInteger

/**
 * Every kind of credentials against the emulator's KMS, STS and ECS metadata listeners: each
 * variant builds a client whose encrypt/decrypt round trip succeeds (so the emulator accepted the
 * credentials the provider produced), plus the failures a caller must be able to tell apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CredentialsTest {
    private lateinit var emu: Emulator
    private lateinit var keyId: String
    private lateinit var tmp: File
    private lateinit var oidcKey: KeyPair

    private val roleArn = "acs:ram::1234567890123456:role/kmskit-kotlin-role"
    private val oidcProviderArn = "acs:ram::1234567890123456:oidc-provider/kmskit-kotlin"
    private val issuer = "https://oidc.kmskit.test"

    @BeforeAll
    fun start() = runBlocking<Unit> {
        tmp = kotlin.io.path.createTempDirectory("kmskit-kotlin-creds").toFile()
        oidcKey = KeyPairGenerator.getInstance("RSA").apply { initialize(2048) }.genKeyPair()
        val pub = oidcKey.public as RSAPublicKey
        val jwks = File(tmp, "jwks.json")
        jwks.writeText(
            """{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","use":"sig","n":"${b64u(unsigned(pub.modulus))}","e":"${b64u(unsigned(pub.publicExponent))}"}]}""",
        )
        emu = Emulator.start("--oidc-jwks", jwks.path, "--oidc-issuer", issuer)
        KmsClient(emu.options()).use {
            keyId = Emulator.field(it.call("CreateKey", """{"KeySpec":"Aliyun_AES_256"}"""), "KeyId")
        }
    }

    @AfterAll
    fun stop() {
        if (this::emu.isInitialized) emu.close()
        if (this::tmp.isInitialized) tmp.deleteRecursively()
    }

    private fun ak() = Credentials.AccessKey(emu.accessKeyId, emu.accessKeySecret)

    private fun options(credentials: Credentials?) =
        ClientOptions(endpoint = emu.endpoint, region = emu.region, maxAttempts = 1u, credentials = credentials)

    /** Builds a client with [credentials] and checks an encrypt/decrypt round trip. */
    private fun roundTrip(credentials: Credentials?) = runBlocking<Unit> {
        KmsClient(options(credentials)).use { c ->
            val pt = "credentials ${credentials?.javaClass?.simpleName}".toByteArray()
            val enc = c.encrypt(keyId, pt)
            assertArrayEquals(pt, c.decrypt(enc.ciphertextBlob).plaintext)
        }
    }

    private fun encryptFails(credentials: Credentials?): KmsException =
        assertThrows<KmsException> { runBlocking { KmsClient(options(credentials)).use { it.encrypt(keyId, "x".toByteArray()) } } }

    private fun roleArn(source: Credentials, session: String = "kotlin-test") =
        Credentials.RamRoleArn(source = source, roleArn = roleArn, roleSessionName = session, stsEndpoint = emu.stsEndpoint)

    @Test
    fun `the credentials types are the variants of Credentials`() {
        val variants = Credentials::class.sealedSubclasses.map { it.simpleName }.toSet()
        assertEquals(credentialsTypes().toSet(), variants)
        for (t in listOf("AccessKey", "StsToken", "EcsRamRole", "RamRoleArn", "OidcRoleArn", "CredentialsUri", "CliProfile", "IniProfile", "DefaultChain", "Custom")) {
            assertTrue(t in variants, t)
        }
    }

    @Test
    fun `ECS RAM role from the metadata endpoint, discovered or named, IMDSv2 only`() {
        roundTrip(Credentials.EcsRamRole(metadataEndpoint = emu.metadataEndpoint))
        roundTrip(Credentials.EcsRamRole(roleName = emu.metadataRoleName, metadataEndpoint = emu.metadataEndpoint, disableImdsV1 = true))
    }

    @Test
    fun `RamRoleArn with an AccessKey, a chained role and a custom provider as the source`() {
        roundTrip(roleArn(ak()))
        roundTrip(roleArn(roleArn(ak(), "inner-session"), "outer-session"))
        val calls = AtomicInteger()
        val custom = Credentials.Custom(object : CredentialsProvider {
            override suspend fun credentials(): CredentialValue {
                calls.incrementAndGet()
                return CredentialValue(emu.accessKeyId, emu.accessKeySecret)
            }
        })
        roundTrip(roleArn(custom))
        assertEquals(1, calls.get())
        val shown = roleArn(Credentials.AccessKey("id", "very-secret")).toString()
        assertFalse(shown.contains("very-secret"), shown)
        assertTrue(shown.contains(roleArn), shown)
    }

    @Test
    fun `RamRoleArn whose source is refused by STS is a Credentials error without the secret`() {
        val e = encryptFails(roleArn(Credentials.AccessKey(emu.accessKeyId, "wrong-source-secret")))
        assertTrue(e is KmsException.Credentials, e.toString())
        assertEquals(1201u, e.errorCode)
        assertFalse(e.toString().contains("wrong-source-secret"), e.toString())
    }

    @Test
    fun `OIDC role ARN with a token the emulator's JWKS verifies`() {
        val now = Instant.now().epochSecond
        val token = File(tmp, "oidc-token")
        token.writeText(jwt("""{"iss":"$issuer","aud":"sts.aliyuncs.com","sub":"system:serviceaccount:ns:app","iat":$now,"exp":${now + 3600}}"""))
        roundTrip(
            Credentials.OidcRoleArn(
                roleArn = roleArn,
                oidcProviderArn = oidcProviderArn,
                oidcTokenFile = token.path,
                roleSessionName = "oidc-session",
                stsEndpoint = emu.stsEndpoint,
            ),
        )
        // A token signed by another key is refused: a Credentials error.
        val other = KeyPairGenerator.getInstance("RSA").apply { initialize(2048) }.genKeyPair()
        val forged = File(tmp, "forged-token")
        forged.writeText(jwt("""{"iss":"$issuer","aud":"a","sub":"s","exp":${now + 3600}}""", other))
        val e = encryptFails(Credentials.OidcRoleArn(roleArn, oidcProviderArn, forged.path, stsEndpoint = emu.stsEndpoint))
        assertTrue(e is KmsException.Credentials, e.toString())
    }

    @Test
    fun `credentials URI served by a local HTTP server`() {
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        val hits = AtomicInteger()
        server.createContext("/creds") { ex ->
            hits.incrementAndGet()
            val expiration = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
            val body = """{"Code":"Success","AccessKeyId":"${emu.accessKeyId}","AccessKeySecret":"${emu.accessKeySecret}","Expiration":"$expiration"}""".toByteArray()
            ex.sendResponseHeaders(200, body.size.toLong())
            ex.responseBody.use { it.write(body) }
        }
        server.start()
        try {
            val uri = "http://127.0.0.1:${server.address.port}/creds?token=uri-secret-token"
            roundTrip(Credentials.CredentialsUri(uri))
            assertTrue(hits.get() >= 1)
            assertFalse(Credentials.CredentialsUri(uri).toString().contains("uri-secret-token"))
        } finally {
            server.stop(0)
        }
    }

    @Test
    fun `CLI profile file, AK and RamRoleArn modes`() {
        val config = File(tmp, "config.json")
        config.writeText(
            """
            {"current":"ak","profiles":[
              {"name":"ak","mode":"AK","access_key_id":"${emu.accessKeyId}","access_key_secret":"${emu.accessKeySecret}"},
              {"name":"role","mode":"RamRoleArn","access_key_id":"${emu.accessKeyId}","access_key_secret":"${emu.accessKeySecret}",
               "ram_role_arn":"$roleArn","ram_session_name":"cli-session"},
              {"name":"broken","mode":"Unsupported"}
            ]}
            """.trimIndent(),
        )
        roundTrip(Credentials.CliProfile(configFile = config.path))
        roundTrip(Credentials.CliProfile(profileName = "role", configFile = config.path, stsEndpoint = emu.stsEndpoint))
        val e = encryptFails(Credentials.CliProfile(profileName = "broken", configFile = config.path))
        assertTrue(e is KmsException.Credentials, e.toString())
    }

    @Test
    fun `ini profile file, access_key and ram_role_arn types`() {
        val ini = File(tmp, "credentials.ini")
        ini.writeText(
            """
            [default]
            type = access_key
            access_key_id = ${emu.accessKeyId}
            access_key_secret = ${emu.accessKeySecret}

            [role]
            type = ram_role_arn
            access_key_id = ${emu.accessKeyId}
            access_key_secret = ${emu.accessKeySecret}
            role_arn = $roleArn
            role_session_name = ini-session
            """.trimIndent(),
        )
        roundTrip(Credentials.IniProfile(credentialsFile = ini.path))
        roundTrip(Credentials.IniProfile(profileName = "role", credentialsFile = ini.path, stsEndpoint = emu.stsEndpoint))
    }

    /** Variables that would let the default chain find credentials on this machine. */
    private fun isolated(extra: Map<String, String?>): Map<String, String?> = mapOf(
        "HOME" to tmp.resolve("empty-home").apply { mkdirs() }.path,
        "ALIBABA_CLOUD_ACCESS_KEY_ID" to null,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" to null,
        "ALIBABA_CLOUD_SECURITY_TOKEN" to null,
        "ALIBABA_CLOUD_ROLE_ARN" to null,
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN" to null,
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE" to null,
        "ALIBABA_CLOUD_PROFILE" to null,
        "ALIBABA_CLOUD_CONFIG_FILE" to null,
        "ALIBABA_CLOUD_CREDENTIALS_FILE" to null,
        "ALIBABA_CLOUD_CREDENTIALS_URI" to null,
        "ALIBABA_CLOUD_ECS_METADATA" to null,
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED" to "true",
    ) + extra

    @Test
    fun `default chain and Environment read the environment`() {
        val env = isolated(mapOf("ALIBABA_CLOUD_ACCESS_KEY_ID" to emu.accessKeyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET" to emu.accessKeySecret))
        ProcessEnv.with(env) {
            roundTrip(Credentials.DefaultChain())
            roundTrip(null) // no credentials: the default chain
            roundTrip(Credentials.Environment)
        }
        // The chain's OIDC step, from the official variable names.
        val now = Instant.now().epochSecond
        val token = File(tmp, "chain-oidc-token")
        token.writeText(jwt("""{"iss":"$issuer","aud":"sts","sub":"s","iat":$now,"exp":${now + 3600}}"""))
        val oidcEnv = isolated(
            mapOf(
                "ALIBABA_CLOUD_ROLE_ARN" to roleArn,
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN" to oidcProviderArn,
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE" to token.path,
            ),
        )
        ProcessEnv.with(oidcEnv) { roundTrip(Credentials.DefaultChain(stsEndpoint = emu.stsEndpoint)) }
    }

    @Test
    fun `nothing configured is CredentialsNotConfigured (1203)`() {
        ProcessEnv.with(isolated(emptyMap())) {
            val e = encryptFails(Credentials.DefaultChain())
            assertTrue(e is KmsException.Credentials, e.toString())
            assertEquals(1203u, e.errorCode)
            assertEquals("CredentialsNotConfigured", e.errorName)
        }
    }

    @Test
    fun `a custom provider is asked once and its credentials are cached`() {
        val calls = AtomicInteger()
        val provider = object : CredentialsProvider {
            override suspend fun credentials(): CredentialValue {
                calls.incrementAndGet()
                kotlinx.coroutines.delay(10) // really suspends: runs as a coroutine, not on a Rust thread
                return CredentialValue(emu.accessKeyId, emu.accessKeySecret, expiration = Instant.now().plusSeconds(3600))
            }
        }
        runBlocking {
            KmsClient(options(Credentials.Custom(provider))).use { c ->
                repeat(5) { c.encrypt(keyId, "custom $it".toByteArray()) }
            }
        }
        assertEquals(1, calls.get())
        assertEquals("Custom", Credentials.Custom(provider).toString())
        val value = CredentialValue("id", "value-secret", "value-token")
        assertFalse(value.toString().contains("value-secret") || value.toString().contains("value-token"), value.toString())
    }

    @Test
    fun `a throwing custom provider is a Credentials error (1201) naming the failure`() {
        val failing = object : CredentialsProvider {
            override suspend fun credentials(): CredentialValue = throw IllegalStateException("vault is unreachable")
        }
        val e = encryptFails(Credentials.Custom(failing))
        assertTrue(e is KmsException.Credentials, e.toString())
        assertEquals(1201u, e.errorCode)
        assertTrue(e.detail.contains("vault is unreachable"), e.detail)
        // A provider returning unusable values: refused before any request, values not echoed.
        val empty = object : CredentialsProvider {
            override suspend fun credentials() = CredentialValue("", "empty-id-secret")
        }
        val e2 = encryptFails(Credentials.Custom(empty))
        assertEquals(1201u, e2.errorCode)
        assertFalse(e2.toString().contains("empty-id-secret"), e2.toString())
    }

    @Test
    fun `an unknown AccessKey is refused by KMS`() {
        val e = encryptFails(Credentials.AccessKey("LTAIunknownKotlinKey", "whatever-secret"))
        assertTrue(e is KmsException.Authentication, e.toString())
        assertFalse(e.toString().contains("whatever-secret"))
    }

    @Test
    fun `bad credentials options are refused when the client is built`() {
        assertThrows<KmsException.Configuration> { KmsClient(options(Credentials.RamRoleArn(ak(), roleArn = "  "))) }
        assertThrows<KmsException.Configuration> { KmsClient(options(Credentials.RamRoleArn(ak(), roleArn, durationSeconds = 60u))) }
        assertThrows<KmsException> { KmsClient(options(Credentials.CredentialsUri("ftp://nowhere"))) }
    }

    private fun jwt(claims: String, key: KeyPair = oidcKey): String {
        val head = b64u("""{"alg":"RS256","typ":"JWT","kid":"k1"}""".toByteArray())
        val body = b64u(claims.toByteArray())
        val sig = Signature.getInstance("SHA256withRSA").run {
            initSign(key.private)
            update("$head.$body".toByteArray())
            sign()
        }
        return "$head.$body.${b64u(sig)}"
    }

    private fun b64u(b: ByteArray) = Base64.getUrlEncoder().withoutPadding().encodeToString(b)

    private fun unsigned(n: BigInteger): ByteArray = n.toByteArray().let { if (it[0] == 0.toByte()) it.copyOfRange(1, it.size) else it }
}
