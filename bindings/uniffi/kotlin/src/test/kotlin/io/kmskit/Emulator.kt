package io.kmskit

import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * The kmskit emulator in a child process: started with `--addr 127.0.0.1:0 --in-memory`, ready
 * when it prints its one JSON line on stdout. The binary comes from the system property
 * `kmskit.emulator` (set by the pom), the environment variable KMSKIT_EMULATOR, or
 * <repo>/target/debug/kmskit-emulator. A missing binary fails the tests; it never skips them.
 */
class Emulator private constructor(private val process: Process, readyLine: String) : AutoCloseable {
    val endpoint: String = field(readyLine, "endpoint")
    val region: String = field(readyLine, "region")
    val accessKeyId: String = field(readyLine, "access_key_id")
    val accessKeySecret: String = field(readyLine, "access_key_secret")
    private val adminToken: String = field(readyLine, "admin_token")
    val stsEndpoint: String = field(readyLine, "sts_endpoint")
    val metadataEndpoint: String = field(readyLine, "metadata_endpoint")
    val metadataRoleName: String = field(readyLine, "metadata_role_name")
    val dedicatedEndpoint: String = field(readyLine, "dedicated_endpoint")
    val dedicatedCaFile: String = field(readyLine, "dedicated_ca_file")
    val instanceId: String = field(readyLine, "instance_id")
    /** Set when started with `--client-key-out DIR`. */
    val clientKeyFile: String? = optionalField(readyLine, "client_key_file")
    val clientKeyPasswordFile: String? = optionalField(readyLine, "client_key_password_file")
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    fun options(
        maxAttempts: UInt? = null,
        readTimeoutMs: ULong? = null,
        credentials: Credentials = Credentials.AccessKey(accessKeyId, accessKeySecret),
        signatureVersion: String? = null,
    ) = ClientOptions(
        endpoint = endpoint,
        region = region,
        maxAttempts = maxAttempts,
        readTimeoutMs = readTimeoutMs,
        credentials = credentials,
        signatureVersion = signatureVersion,
    )

    /** POST /_emulator/faults with the given JSON body. */
    fun fault(json: String) = admin("POST", "/_emulator/faults", json)

    fun clearFaults() = admin("DELETE", "/_emulator/faults", null)

    /** Authenticated requests the emulator counted for [action]. */
    fun count(action: String): Int {
        val body = admin("GET", "/_emulator/stats", null)
        return Regex("\"$action\"\\s*:\\s*(\\d+)").find(body)?.groupValues?.get(1)?.toInt() ?: 0
    }

    private fun admin(method: String, path: String, json: String?): String {
        val publisher = if (json == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(json)
        val req = HttpRequest.newBuilder(URI.create(endpoint.trimEnd('/') + path))
            .header("Authorization", "Bearer $adminToken")
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .timeout(Duration.ofSeconds(10))
            .build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        check(resp.statusCode() in 200..299) { "admin $method $path -> ${resp.statusCode()}: ${resp.body()}" }
        return resp.body()
    }

    override fun close() {
        process.destroy() // SIGTERM
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly()
            process.waitFor(5, TimeUnit.SECONDS)
        }
    }

    companion object {
        fun binary(): File {
            val configured = System.getProperty("kmskit.emulator")?.takeIf { it.isNotBlank() }
                ?: System.getenv("KMSKIT_EMULATOR")?.takeIf { it.isNotBlank() }
            if (configured != null) return File(configured)
            // bindings/uniffi/kotlin -> repo root
            return File(System.getProperty("user.dir"), "../../../target/debug/kmskit-emulator").canonicalFile
        }

        /** Starts the emulator; [extraArgs] are more flags (`--client-key-out DIR`, `--oidc-jwks FILE`). */
        fun start(vararg extraArgs: String): Emulator {
            val bin = binary()
            check(bin.canExecute()) { "kmskit emulator not found at $bin (cargo build -p kmskit-emulator)" }
            val log = File.createTempFile("kmskit-emulator", ".log")
            val process = ProcessBuilder(listOf(bin.path, "--addr", "127.0.0.1:0", "--in-memory") + extraArgs)
                .redirectError(ProcessBuilder.Redirect.to(log))
                .start()
            val reader = BufferedReader(InputStreamReader(process.inputStream))
            val lines = java.util.concurrent.LinkedBlockingQueue<String>()
            Thread {
                try {
                    while (true) lines.put(reader.readLine() ?: break)
                } catch (_: Exception) {
                }
            }.apply { isDaemon = true }.start()
            val line = lines.poll(30, TimeUnit.SECONDS)
            if (line == null || !line.contains("\"endpoint\"")) {
                process.destroyForcibly()
                error("emulator did not become ready: ${line ?: "no line"}; log: ${log.readText().takeLast(2000)}")
            }
            return Emulator(process, line)
        }

        /** A string field of a flat JSON object (the ready line); enough for these tests. */
        fun field(json: String, name: String): String =
            Regex("\"$name\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").find(json)?.groupValues?.get(1)
                ?: error("no \"$name\" in $json")

        fun optionalField(json: String, name: String): String? = runCatching { field(json, name) }.getOrNull()
    }
}
