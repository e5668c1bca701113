package io.kmskit

import com.sun.jna.Library
import com.sun.jna.Native

/**
 * The real process environment, which the Rust library reads (System.getenv is a read-only copy
 * taken at JVM start). Tests set variables only around building a client, and restore them.
 */
object ProcessEnv {
    private interface LibC : Library {
        fun setenv(name: String, value: String, overwrite: Int): Int
        fun unsetenv(name: String): Int
    }

    private val libc: LibC = Native.load("c", LibC::class.java)

    /** Runs [block] with [vars] set (a null value unsets), then restores the previous values. */
    fun <T> with(vars: Map<String, String?>, block: () -> T): T {
        val saved = vars.keys.associateWith { System.getenv(it) }
        try {
            for ((k, v) in vars) if (v == null) libc.unsetenv(k) else libc.setenv(k, v, 1)
            return block()
        } finally {
            for ((k, v) in saved) if (v == null) libc.unsetenv(k) else libc.setenv(k, v, 1)
        }
    }
}
