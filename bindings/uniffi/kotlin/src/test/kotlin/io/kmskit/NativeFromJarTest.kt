package io.kmskit

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

/**
 * Run only by the `native-from-jar` surefire execution (phase verify), against the packaged jar
 * and without `jna.library.path`: JNA must load libkmskit_uniffi.so from the jar's
 * `linux-x86-64/` resource.
 */
class NativeFromJarTest {
    @Test
    fun `the native library loads from the jar`() {
        assertNull(System.getProperty("jna.library.path"), "jna.library.path must not be set here")
        val url = KmsClient::class.java.classLoader.getResource("linux-x86-64/libkmskit_uniffi.so")
        assertEquals("jar", url?.protocol, "library resource: $url")
        assertEquals(6, coreOperations().size)
        // A client and an error through the library, no emulator needed.
        val e = runCatching { KmsClient(ClientOptions(region = "cn-hangzhou", signatureVersion = "v9")) }.exceptionOrNull()
        assertEquals(KmsException.Configuration::class, e?.let { it::class })
    }
}
