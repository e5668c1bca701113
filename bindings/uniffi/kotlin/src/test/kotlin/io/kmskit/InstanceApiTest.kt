package io.kmskit

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.util.Base64
import kotlin.reflect.full.declaredMemberFunctions

/**
 * The dedicated gateway against the emulator's HTTPS listener: ClientKeys (issued by the
 * emulator, and the shared test key given as PEM), every Instance API operation, routing between
 * the shared and dedicated gateways, and the TLS / ClientKey failures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstanceApiTest {
    private lateinit var emu: Emulator
    private lateinit var tmp: File
    private lateinit var key: ClientKey
    private lateinit var client: KmsClient
    private lateinit var instance: InstanceClient
    private lateinit var aesKey: String
    private lateinit var ecKey: String

    private val testKeyId = "KAAP.00000000-1111-2222-3333-444444444444"

    private fun testdata(name: String): File {
        val shared = System.getenv("KMSKIT_SHARED_DIR")?.takeIf { it.isNotBlank() }?.let(::File)
            ?: File(System.getProperty("user.dir"), "../../../../shared").canonicalFile
        return File(shared, "testdata/clientkey/$name")
    }

    @BeforeAll
    fun start() = runBlocking<Unit> {
        tmp = kotlin.io.path.createTempDirectory("kmskit-kotlin-ck").toFile()
        emu = Emulator.start(
            "--client-key-out", tmp.path,
            "--client-key", "$testKeyId=${testdata("clientkey_public.pem").path}",
        )
        key = ClientKey.fromFile(emu.clientKeyFile!!, passwordFile = emu.clientKeyPasswordFile!!)
        client = KmsClient(options(key))
        instance = client.instance()
        aesKey = Emulator.field(client.call("CreateKey", """{"KeySpec":"Aliyun_AES_256"}"""), "KeyId")
        ecKey = Emulator.field(client.call("CreateKey", """{"KeySpec":"EC_P256","KeyUsage":"SIGN/VERIFY"}"""), "KeyId")
    }

    @AfterAll
    fun stop() {
        if (this::client.isInitialized) client.close()
        if (this::emu.isInitialized) emu.close()
        if (this::tmp.isInitialized) tmp.deleteRecursively()
    }

    /** Both gateways: the shared (HTTP) endpoint with an AccessKey, the dedicated one with the ClientKey. */
    private fun options(key: ClientKey?, caFile: String? = emu.dedicatedCaFile, route: String? = null) = ClientOptions(
        endpoint = emu.endpoint,
        region = emu.region,
        credentials = Credentials.AccessKey(emu.accessKeyId, emu.accessKeySecret),
        clientKey = key,
        instanceEndpoint = if (key != null) emu.dedicatedEndpoint else null,
        caFile = caFile,
        maxAttempts = 1u,
        route = route,
    )

    private fun snakeToCamel(s: String) = Regex("_([a-z])").replace(s) { it.groupValues[1].uppercase() }

    private fun apiToMethod(api: String) = api.replaceFirstChar { it.lowercase() }

    @Test
    fun `every core Instance API operation is a suspend method of InstanceClient`() {
        val ops = instanceOperations()
        assertEquals(15, ops.size)
        val methods = InstanceClient::class.declaredMemberFunctions.associateBy { it.name }
        for (op in ops) {
            val m = methods[apiToMethod(op)]
            assertNotNull(m, "InstanceClient has no method ${apiToMethod(op)} for $op")
            assertTrue(m!!.isSuspend, "${m.name} is not a suspend fun")
        }
        assertEquals(snakeToCamel("get_secret_value"), apiToMethod("GetSecretValue"))
    }

    @Test
    fun `ClientKey loads from a file, JSON text, a password file or variable, and PEM`() {
        assertTrue(key.keyId().startsWith("KAAP."), key.keyId())
        assertEquals(key.keyId(), instance.clientKeyId())
        assertEquals(emu.dedicatedEndpoint.trimEnd('/'), instance.endpoint())
        val password = File(emu.clientKeyPasswordFile!!).readText().trim()
        val json = File(emu.clientKeyFile!!).readText()
        assertEquals(key.keyId(), ClientKey.fromFile(emu.clientKeyFile!!, password = password).keyId())
        assertEquals(key.keyId(), ClientKey.fromJson(json, password = password).keyId())
        ProcessEnv.with(mapOf("KMSKIT_KOTLIN_CK_PASSWORD" to password)) {
            assertEquals(key.keyId(), ClientKey.fromFile(emu.clientKeyFile!!, passwordEnv = "KMSKIT_KOTLIN_CK_PASSWORD").keyId())
        }
        // toString shows the key id only.
        assertTrue(key.toString().contains(key.keyId()), key.toString())
        assertFalse(key.toString().contains(password), key.toString())
    }

    @Test
    fun `a wrong ClientKey password or a bad file is ClientKeyInvalid (1202)`() {
        val e = assertThrows<KmsException.Credentials> { ClientKey.fromFile(emu.clientKeyFile!!, password = "not-the-password") }
        assertEquals(1202u, e.code)
        assertEquals("ClientKeyInvalid", e.name)
        assertFalse(e.toString().contains("not-the-password"))
        assertEquals(1202u, assertThrows<KmsException.Credentials> { ClientKey.fromJson("{}", password = "x") }.code)
        assertEquals(1202u, assertThrows<KmsException.Credentials> { ClientKey.fromPrivateKeyPem("KAAP.x", "not a key") }.code)
        assertThrows<KmsException.Configuration> { ClientKey.fromFile(emu.clientKeyFile!!) }
        assertThrows<KmsException.Configuration> { ClientKey.fromFile(emu.clientKeyFile!!, password = "a", passwordEnv = "B") }
    }

    @Test
    fun `a ClientKey from a private key PEM signs requests the gateway accepts`() = runBlocking<Unit> {
        val pemKey = ClientKey.fromPrivateKeyPem(testKeyId, testdata("clientkey_private.pem").readText())
        assertEquals(testKeyId, pemKey.keyId())
        KmsClient(options(pemKey)).use {
            val r = it.instance().generateRandom(16u)
            assertEquals(16, r.random.size)
        }
    }

    @Test
    fun `encrypt decrypt and the advance forms round trip`() = runBlocking<Unit> {
        val pt = "instance api from kotlin".toByteArray()
        val aad = "context".toByteArray()
        val enc = instance.encrypt(aesKey, pt, aad = aad)
        assertEquals(aesKey, enc.keyId)
        assertEquals(12, enc.iv.size)
        assertTrue(enc.ciphertextBlob.isNotEmpty() && enc.requestId.isNotEmpty())
        val dec = instance.decrypt(aesKey, enc.ciphertextBlob, iv = enc.iv, aad = aad)
        assertArrayEquals(pt, dec.plaintext)
        assertFalse(dec.toString().contains("instance api"), dec.toString())
        assertTrue(dec.toString().contains("***"), dec.toString())

        val adv = instance.advanceEncrypt(aesKey, pt)
        assertTrue(adv.keyVersionId.isNotEmpty())
        val back = instance.advanceDecrypt(adv.ciphertextBlob)
        assertArrayEquals(pt, back.plaintext)
        assertEquals(adv.keyVersionId, back.keyVersionId)
    }

    @Test
    fun `sign verify and the public key`() = runBlocking<Unit> {
        val msg = "sign me".toByteArray()
        val sig = instance.sign(ecKey, "ECDSA_SHA_256", msg, messageType = "RAW")
        assertTrue(sig.signature.isNotEmpty())
        assertTrue(instance.verify(ecKey, "ECDSA_SHA_256", msg, sig.signature, "RAW").value)
        assertFalse(instance.verify(ecKey, "ECDSA_SHA_256", "other".toByteArray(), sig.signature).value)
        val pub = instance.getPublicKey(ecKey)
        assertTrue(pub.publicKey.startsWith("-----BEGIN PUBLIC KEY-----"), pub.publicKey)
        // The PEM verifies the signature with the JDK too.
        val der = Base64.getMimeDecoder().decode(pub.publicKey.lines().filter { !it.startsWith("-----") }.joinToString(""))
        val jdkKey = java.security.KeyFactory.getInstance("EC").generatePublic(java.security.spec.X509EncodedKeySpec(der))
        val ok = java.security.Signature.getInstance("SHA256withECDSA").run {
            initVerify(jdkKey)
            update(msg)
            verify(sig.signature)
        }
        assertTrue(ok)
    }

    @Test
    fun `random and data keys`() = runBlocking<Unit> {
        val r = instance.generateRandom(32u)
        assertEquals(32, r.random.size)
        assertFalse(r.toString().contains(r.random.contentToString()))

        val dk = instance.generateDataKey(aesKey, numberOfBytes = 32u)
        assertEquals(32, dk.plaintext.size)
        assertArrayEquals(dk.plaintext, instance.decrypt(aesKey, dk.ciphertextBlob, iv = dk.iv).plaintext)
        assertFalse(dk.toString().contains(Base64.getEncoder().encodeToString(dk.plaintext)))

        val adk = instance.advanceGenerateDataKey(aesKey, numberOfBytes = 16u)
        assertEquals(16, adk.plaintext.size)
        assertArrayEquals(adk.plaintext, instance.advanceDecrypt(adk.ciphertextBlob).plaintext)
    }

    @Test
    fun `data key pairs with and without the private key`() = runBlocking<Unit> {
        val pair = instance.generateDataKeyPair(aesKey, "EC_P256", keyFormat = "PEM")
        assertEquals("EC_P256", pair.keyPairSpec)
        val priv = String(pair.privateKeyPlaintext)
        assertTrue(priv.contains("PRIVATE KEY"), "a PEM private key")
        assertFalse(pair.toString().contains("PRIVATE KEY"), pair.toString())
        assertArrayEquals(pair.privateKeyPlaintext, instance.decrypt(aesKey, pair.privateKeyCiphertextBlob, iv = pair.iv).plaintext)

        val adv = instance.advanceGenerateDataKeyPair(aesKey, "EC_P256", keyFormat = "DER")
        assertTrue(adv.publicKey.isNotEmpty() && adv.keyVersionId.isNotEmpty())
        assertArrayEquals(adv.privateKeyPlaintext, instance.advanceDecrypt(adv.privateKeyCiphertextBlob).plaintext)

        val np = instance.generateDataKeyPairWithoutPlaintext(aesKey, "EC_P256")
        assertTrue(np.privateKeyCiphertextBlob.isNotEmpty() && np.publicKey.isNotEmpty())
        val anp = instance.advanceGenerateDataKeyPairWithoutPlaintext(aesKey, "EC_P256", keyFormat = "PEM")
        assertTrue(String(anp.publicKey).contains("PUBLIC KEY"))
        assertTrue(instance.advanceDecrypt(anp.privateKeyCiphertextBlob).plaintext.isNotEmpty())
    }

    @Test
    fun `get secret value through the dedicated gateway`() = runBlocking<Unit> {
        client.call("CreateSecret", """{"SecretName":"kotlin/instance","SecretData":"instance-secret-value","VersionId":"v1"}""")
        val s = instance.getSecretValue("kotlin/instance")
        assertEquals("instance-secret-value", s.secretData)
        assertEquals("v1", s.versionId)
        assertTrue("ACSCurrent" in s.versionStages)
        assertFalse(s.toString().contains("instance-secret-value"), s.toString())
        assertEquals("instance-secret-value", instance.getSecretValue("kotlin/instance", versionId = "v1", fetchExtendedConfig = true).secretData)
        val e = assertThrows<KmsException.NotFound> { runBlocking { instance.getSecretValue("kotlin/missing") } }
        assertNotNull(e.requestId)
    }

    @Test
    fun `with a ClientKey encrypt goes to the Instance API and call to the shared gateway`() = runBlocking<Unit> {
        assertEquals("auto", client.route())
        val adv = emu.count("AdvanceEncrypt")
        val shared = emu.count("Encrypt")
        val creates = emu.count("DescribeKey")
        val enc = client.encrypt(aesKey, "routed".toByteArray())
        assertArrayEquals("routed".toByteArray(), client.decrypt(enc.ciphertextBlob).plaintext)
        assertEquals(adv + 1, emu.count("AdvanceEncrypt"))
        assertEquals(shared, emu.count("Encrypt"))
        client.call("DescribeKey", """{"KeyId":"$aesKey"}""")
        assertEquals(creates + 1, emu.count("DescribeKey"))

        val viaShared = client.withRoute("shared")
        assertEquals("shared", viaShared.route())
        viaShared.encrypt(aesKey, "shared".toByteArray())
        assertEquals(shared + 1, emu.count("Encrypt"))
        assertEquals(adv + 1, emu.count("AdvanceEncrypt"))
        assertEquals("dedicated", KmsClient(options(key, route = "dedicated")).use { it.route() })
        assertThrows<KmsException.Configuration> { client.withRoute("sideways") }
    }

    @Test
    fun `no ClientKey means no Instance API`() {
        KmsClient(options(null)).use { assertThrows<KmsException.Configuration> { it.instance() } }
        assertThrows<KmsException.Configuration> { KmsClient(options(null, route = "dedicated")) }
    }

    @Test
    fun `a wrong or missing CA is TlsFailed (2003)`() = runBlocking<Unit> {
        for (ca in listOf(testdata("PrivateKmsCA_kst-test0000000000000000.pem").path, null)) {
            KmsClient(options(key, caFile = ca)).use {
                val e = assertThrows<KmsException.Network> { runBlocking { it.instance().generateRandom(8u) } }
                assertEquals(2003u, e.code)
                assertFalse(e.retryable)
            }
        }
        // The CA as PEM bytes works like the file.
        val pem = File(emu.dedicatedCaFile).readBytes()
        KmsClient(options(key, caFile = null).copy(caPem = pem)).use {
            assertEquals(8, it.instance().generateRandom(8u).random.size)
        }
    }
}
