package io.kmskit

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import kotlin.reflect.full.declaredMemberFunctions
import kotlin.reflect.full.isSubclassOf

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmsClientTest {
    private lateinit var emu: Emulator
    private lateinit var client: KmsClient
    private lateinit var keyId: String

    @BeforeAll
    fun startEmulator() = runBlocking<Unit> {
        emu = Emulator.start()
        client = KmsClient(emu.options())
        val created = client.call("CreateKey", """{"KeySpec":"Aliyun_AES_256"}""")
        keyId = Emulator.field(created, "KeyId")
        assertTrue(keyId.isNotEmpty())
    }

    @AfterAll
    fun stopEmulator() {
        if (this::client.isInitialized) client.close()
        if (this::emu.isInitialized) emu.close()
    }

    @BeforeEach
    fun noFaults() {
        emu.clearFaults()
    }

    private fun snakeToCamel(s: String) = Regex("_([a-z])").replace(s) { it.groupValues[1].uppercase() }

    @Test
    fun `version and core operations come from the library`() {
        assertTrue(Regex("""\d+\.\d+\.\d+.*""").matches(version()), version())
        assertEquals(
            listOf("encrypt", "decrypt", "generate_data_key", "generate_data_key_without_plaintext", "get_secret_value", "call"),
            coreOperations(),
        )
    }

    @Test
    fun `every core operation is a suspend method of KmsClient`() {
        val methods = KmsClient::class.declaredMemberFunctions.associateBy { it.name }
        val ops = coreOperations()
        assertEquals(6, ops.size)
        for (op in ops) {
            val m = methods[snakeToCamel(op)]
            assertNotNull(m, "KmsClient has no method ${snakeToCamel(op)} for core operation $op")
            assertTrue(m!!.isSuspend, "${m.name} is not a suspend fun")
        }
    }

    @Test
    fun `encrypt and decrypt round trip with an encryption context`() = runBlocking<Unit> {
        val plaintext = "hello from kotlin \u00e9".toByteArray()
        val ctx = mapOf("purpose" to "test", "tenant" to "a")
        val enc = client.encrypt(keyId, plaintext, ctx)
        assertEquals(keyId, enc.keyId)
        assertTrue(enc.ciphertextBlob.isNotEmpty())
        assertTrue(enc.requestId.isNotEmpty())
        assertTrue(enc.keyVersionId.isNotEmpty())
        val dec = client.decrypt(enc.ciphertextBlob, ctx)
        assertArrayEquals(plaintext, dec.plaintext)
        assertEquals(keyId, dec.keyId)
        assertEquals(enc.keyVersionId, dec.keyVersionId)
        // toString (Rust Debug) never shows the plaintext.
        assertFalse(dec.toString().contains("hello"), dec.toString())
        assertTrue(dec.toString().contains("***"), dec.toString())
    }

    @Test
    fun `binary plaintext survives the round trip`() = runBlocking<Unit> {
        val plaintext = ByteArray(256) { it.toByte() }
        val enc = client.encrypt(keyId, plaintext)
        assertArrayEquals(plaintext, client.decrypt(enc.ciphertextBlob).plaintext)
    }

    @Test
    fun `decrypt with another encryption context fails`() = runBlocking<Unit> {
        val enc = client.encrypt(keyId, "x".toByteArray(), mapOf("a" to "1"))
        // KMS answers InvalidCiphertext: kmskit code 4001, kind Crypto, not retried.
        val e = assertThrows<KmsException.Crypto> { runBlocking { client.decrypt(enc.ciphertextBlob, mapOf("a" to "2")) } }
        assertEquals(4001u, e.code)
        assertFalse(e.retryable)
        assertNotNull(e.requestId)
        assertTrue(e.serviceCode!!.startsWith("InvalidCiphertext"), e.serviceCode)
        assertThrows<KmsException.Crypto> { runBlocking { client.decrypt(enc.ciphertextBlob) } }
    }

    @Test
    fun `generate data key returns a key that decrypts to itself`() = runBlocking<Unit> {
        val dk = client.generateDataKey(keyId, numberOfBytes = 32u, encryptionContext = mapOf("k" to "v"))
        assertEquals(32, dk.plaintext.size)
        assertEquals(keyId, dk.keyId)
        assertFalse(dk.toString().contains(java.util.Base64.getEncoder().encodeToString(dk.plaintext)))
        val back = client.decrypt(dk.ciphertextBlob, mapOf("k" to "v"))
        val decoded = if (back.plaintext.size == 32) back.plaintext else java.util.Base64.getDecoder().decode(back.plaintext)
        assertArrayEquals(dk.plaintext, decoded)

        val spec = client.generateDataKey(keyId, keySpec = "AES_128")
        assertEquals(16, spec.plaintext.size)
    }

    @Test
    fun `generate data key without plaintext`() = runBlocking<Unit> {
        val dk = client.generateDataKeyWithoutPlaintext(keyId, keySpec = "AES_256")
        assertEquals(keyId, dk.keyId)
        assertTrue(dk.ciphertextBlob.isNotEmpty())
        assertTrue(dk.requestId.isNotEmpty())
        val dk2 = client.generateDataKeyWithoutPlaintext(keyId, numberOfBytes = 64u)
        assertNotEquals(dk.ciphertextBlob, dk2.ciphertextBlob)
    }

    @Test
    fun `get secret value`() = runBlocking<Unit> {
        client.call("CreateSecret", """{"SecretName":"kotlin/db-password","SecretData":"s3cr3t-value","VersionId":"v1"}""")
        val s = client.getSecretValue("kotlin/db-password")
        assertEquals("kotlin/db-password", s.secretName)
        assertEquals("s3cr3t-value", s.secretData)
        assertEquals("v1", s.versionId)
        assertTrue(s.versionStages.contains("ACSCurrent"), s.versionStages.toString())
        assertFalse(s.toString().contains("s3cr3t-value"), s.toString())
        val byVersion = client.getSecretValue("kotlin/db-password", versionId = "v1", fetchExtendedConfig = true)
        assertEquals("s3cr3t-value", byVersion.secretData)
        val e = assertThrows<KmsException.NotFound> { runBlocking { client.getSecretValue("kotlin/missing") } }
        assertEquals(404.toUShort(), e.httpStatus)
    }

    @Test
    fun `call takes and returns JSON object text`() = runBlocking<Unit> {
        val out = client.call("DescribeKey", """{"KeyId":"$keyId"}""")
        assertTrue(out.trimStart().startsWith("{"), out)
        assertEquals(keyId, Emulator.field(out, "KeyId"))
        assertNotNull(Emulator.field(out, "RequestId"))
        val bad = assertThrows<KmsException.InvalidArgument> { runBlocking { client.call("DescribeKey", "[1,2]") } }
        assertEquals(1001u, bad.code)
        assertThrows<KmsException.InvalidArgument> { runBlocking { client.call("DescribeKey", "{not json") } }
    }

    @Test
    fun `unknown key is NotFound with a request id`() = runBlocking<Unit> {
        val e = assertThrows<KmsException.NotFound> {
            runBlocking { client.encrypt("key-does-not-exist", "x".toByteArray()) }
        }
        assertEquals(3301u, e.code)
        assertEquals("ResourceNotFound", e.name)
        assertEquals("Forbidden.KeyNotFound", e.serviceCode)
        assertEquals(404.toUShort(), e.httpStatus)
        assertFalse(e.retryable)
        assertTrue(!e.requestId.isNullOrEmpty())
        // the same fields through the base type
        val base: KmsException = e
        assertEquals(3301u, base.errorCode)
        assertEquals("NotFound", base.kind)
        assertEquals(e.requestId, base.kmsRequestId)
        assertTrue(base.message!!.contains("3301"))
    }

    @Test
    fun `wrong secret is Authentication and never echoes the secret`() = runBlocking<Unit> {
        val bad = KmsClient(emu.options(credentials = Credentials.AccessKey(emu.accessKeyId, "wrong-secret-xyz"), maxAttempts = 1u))
        bad.use {
            val e = assertThrows<KmsException.Authentication> { runBlocking { it.encrypt(keyId, "x".toByteArray()) } }
            assertEquals(3101u, e.code)
            assertEquals("SignatureDoesNotMatch", e.serviceCode)
            assertFalse(e.toString().contains("wrong-secret-xyz"))
            assertFalse(e.errorMessage.contains("wrong-secret-xyz"))
        }
        val creds = Credentials.StsToken("id", "the-secret", "the-token")
        assertFalse(creds.toString().contains("the-secret") || creds.toString().contains("the-token"), creds.toString())
    }

    @Test
    fun `rpc signatures and sts tokens work too`() = runBlocking<Unit> {
        KmsClient(emu.options(signatureVersion = "rpc")).use {
            val enc = it.encrypt(keyId, "rpc".toByteArray())
            assertArrayEquals("rpc".toByteArray(), it.decrypt(enc.ciphertextBlob).plaintext)
        }
    }

    @Test
    fun `bad options are Configuration errors`() {
        val e = assertThrows<KmsException.Configuration> { KmsClient(emu.options(signatureVersion = "v9")) }
        assertTrue(e.code in 1100u..1199u, e.toString())
        assertThrows<KmsException.Configuration> { KmsClient(ClientOptions(endpoint = "ht!tp://bad url")) }
        assertThrows<KmsException.Configuration> { KmsClient(emu.options(maxAttempts = 0u)) }
        assertThrows<KmsException.Configuration> { KmsClient(ClientOptions(gateway = "nowhere", region = "cn-hangzhou")) }
        assertThrows<KmsException.Configuration> { KmsClient(ClientOptions(region = "cn-hangzhou", connectTimeoutMs = 0u)) }
    }

    @Test
    fun `a closed port is a Network error`() = runBlocking<Unit> {
        val port = java.net.ServerSocket(0).use { it.localPort }
        KmsClient(
            ClientOptions(
                endpoint = "http://127.0.0.1:$port",
                region = "cn-hangzhou",
                maxAttempts = 1u,
                connectTimeoutMs = 2000u,
                credentials = Credentials.AccessKey("id", "secret"),
            ),
        ).use {
            val e = assertThrows<KmsException.Network> { runBlocking { it.encrypt(keyId, "x".toByteArray()) } }
            assertEquals(2001u, e.code)
            assertNull(e.requestId)
            assertTrue(e.retryable)
        }
    }

    @Test
    fun `throttling is retried up to maxAttempts`() = runBlocking<Unit> {
        val before = emu.count("Encrypt")
        emu.fault("""{"kind":"throttling","action":"Encrypt","count":2}""")
        val enc = client.encrypt(keyId, "retry me".toByteArray())
        assertTrue(enc.ciphertextBlob.isNotEmpty())
        assertEquals(before + 3, emu.count("Encrypt"))

        KmsClient(emu.options(maxAttempts = 1u)).use {
            emu.fault("""{"kind":"throttling","action":"Encrypt","count":1}""")
            val before1 = emu.count("Encrypt")
            val e = assertThrows<KmsException.Throttling> { runBlocking { it.encrypt(keyId, "x".toByteArray()) } }
            assertEquals(3001u, e.code)
            assertTrue(e.retryable)
            assertNotNull(e.requestId)
            assertEquals(before1 + 1, emu.count("Encrypt"))
        }
    }

    @Test
    fun `a 503 that persists is a Service error after every attempt`() = runBlocking<Unit> {
        val before = emu.count("Encrypt")
        emu.fault("""{"kind":"error","action":"Encrypt","count":3,"status":503}""")
        val e = assertThrows<KmsException.Service> { runBlocking { client.encrypt(keyId, "x".toByteArray()) } }
        assertEquals(503.toUShort(), e.httpStatus)
        assertEquals(before + 3, emu.count("Encrypt"))
    }

    @Test
    fun `a read timeout is a Timeout error`() = runBlocking<Unit> {
        KmsClient(emu.options(maxAttempts = 1u, readTimeoutMs = 300u)).use {
            emu.fault("""{"kind":"delay","action":"Encrypt","count":1,"delay_ms":3000}""")
            val e = assertThrows<KmsException.Timeout> { runBlocking { it.encrypt(keyId, "x".toByteArray()) } }
            assertEquals(2102u, e.code)
        }
    }

    @Test
    fun `cancelling the coroutine cancels the call`() = runBlocking<Unit> {
        emu.fault("""{"kind":"delay","action":"Encrypt","count":1,"delay_ms":5000}""")
        val started = System.nanoTime()
        assertThrows<CancellationException> {
            runBlocking { withTimeout(300) { client.encrypt(keyId, "x".toByteArray()) } }
        }
        val ms = (System.nanoTime() - started) / 1_000_000
        assertTrue(ms < 3000, "cancellation took $ms ms")
        // the client still works afterwards
        assertTrue(client.encrypt(keyId, "after".toByteArray()).ciphertextBlob.isNotEmpty())
    }

    @Test
    fun `twenty concurrent coroutines share one client`() = runBlocking<Unit> {
        val results = coroutineScope {
            (0 until 20).map { i ->
                async(Dispatchers.Default) {
                    val pt = "message-$i".toByteArray()
                    val enc = client.encrypt(keyId, pt, mapOf("i" to "$i"))
                    pt to client.decrypt(enc.ciphertextBlob, mapOf("i" to "$i")).plaintext
                }
            }.awaitAll()
        }
        assertEquals(20, results.size)
        for ((pt, back) in results) assertArrayEquals(pt, back)
        assertEquals(20, results.map { String(it.first) }.toSet().size)
    }

    @Test
    fun `KmsException is a sealed hierarchy with one class per kind`() {
        val kinds = KmsException::class.sealedSubclasses.map { it.simpleName }.toSet()
        assertEquals(
            setOf(
                "Throttling", "Authentication", "Authorization", "NotFound", "InvalidArgument", "Network",
                "Timeout", "Service", "Credentials", "Configuration", "Crypto", "Internal",
            ),
            kinds,
        )
        assertTrue(KmsException::class.isSubclassOf(Exception::class))
    }
}
