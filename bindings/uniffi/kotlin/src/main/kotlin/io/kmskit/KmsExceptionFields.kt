// Hand-written (not generated): the fields every KmsException variant carries, readable on the
// sealed base type without a `when` over the twelve kinds.
package io.kmskit

private inline fun <T> KmsException.field(
    pick: (UInt, String, String, String?, String?, UShort?, Boolean) -> T,
): T = when (this) {
    is KmsException.Throttling -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Authentication -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Authorization -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.NotFound -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.InvalidArgument -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Network -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Timeout -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Service -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Credentials -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Configuration -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Crypto -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
    is KmsException.Internal -> pick(code, name, errorMessage, serviceCode, requestId, httpStatus, retryable)
}

/** The stable numeric error code (e.g. 3301). */
val KmsException.errorCode: UInt get() = field { c, _, _, _, _, _, _ -> c }

/** The code's name (e.g. "KeyNotFound"). */
val KmsException.errorName: String get() = field { _, n, _, _, _, _, _ -> n }

/** The kind, the variant's name: "NotFound", "Throttling", ... */
val KmsException.kind: String get() = this::class.simpleName ?: "Internal"

/** The core's message (never carries secrets). */
val KmsException.detail: String get() = field { _, _, m, _, _, _, _ -> m }

/** The service's own error code, when the service answered. */
val KmsException.serviceErrorCode: String? get() = field { _, _, _, s, _, _, _ -> s }

/** The request id, when the service answered. */
val KmsException.kmsRequestId: String? get() = field { _, _, _, _, r, _, _ -> r }

/** The HTTP status, when the service answered. */
val KmsException.status: UShort? get() = field { _, _, _, _, _, h, _ -> h }

/** Whether a retry may succeed. */
val KmsException.isRetryable: Boolean get() = field { _, _, _, _, _, _, r -> r }
