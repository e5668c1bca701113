//! The admin API under `/_emulator/`, for tests: fault injection, request counters, reset.
//! Every call needs `Authorization: Bearer <admin_token>`.

use http::{HeaderMap, Method};
use serde_json::json;

use crate::faults::FaultSpec;
use crate::server::{json_response, HttpResponse, Shared};

fn admin_error(status: u16, code: &str, message: &str, request_id: &str) -> HttpResponse {
    json_response(
        status,
        request_id,
        &json!({"RequestId": request_id, "Code": code, "Message": message}),
    )
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(token) = value.trim().strip_prefix("Bearer ") else {
        return false;
    };
    crate::auth::ct_eq(token.trim().as_bytes(), shared.admin_token.as_bytes())
}

pub fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    request_id: &str,
) -> HttpResponse {
    if !authorized(shared, headers) {
        return admin_error(
            401,
            "Unauthorized",
            "The admin API needs Authorization: Bearer <admin_token>.",
            request_id,
        );
    }
    let ok = || json_response(200, request_id, &json!({"ok": true}));
    match (method.as_str(), path.trim_end_matches('/')) {
        ("POST", "faults") => {
            let spec: FaultSpec = match serde_json::from_slice(body) {
                Ok(s) => s,
                Err(e) => {
                    return admin_error(
                        400,
                        "InvalidFault",
                        &format!("bad fault body: {e}"),
                        request_id,
                    )
                }
            };
            if let Err(why) = spec.validate() {
                return admin_error(400, "InvalidFault", why, request_id);
            }
            tracing::info!(kind = ?spec.kind, action = ?spec.action, "fault added");
            let id = shared.faults.add(spec);
            json_response(200, request_id, &json!({ "id": id }))
        }
        ("GET", "faults") => {
            json_response(200, request_id, &json!({ "faults": shared.faults.ids() }))
        }
        ("DELETE", "faults") => {
            shared.faults.clear();
            ok()
        }
        ("POST", "reset") => {
            shared.faults.clear();
            match shared.ctx.store.wipe() {
                Ok(()) => {
                    tracing::info!("state reset");
                    ok()
                }
                Err(e) => admin_error(500, &e.code, &e.message, request_id),
            }
        }
        ("GET", "stats") => json_response(
            200,
            request_id,
            &json!({ "requests": shared.stats.snapshot() }),
        ),
        ("DELETE", "stats") => {
            shared.stats.reset();
            ok()
        }
        _ => admin_error(404, "NotFound", "Unknown admin endpoint.", request_id),
    }
}
