//! The client options of issues 5 and 6 (a credentials provider, a ClientKey, the Instance API
//! endpoint, the route), applied to the core's builder after the shared ones (client.rs).

use crate::clientkey::NativeClientKey;
use crate::credentials::NativeProvider;
use kmskit::{ClientConfigBuilder, ClientKey, CredentialsProvider};
use std::sync::Arc;

pub(crate) struct Extra {
    provider: Option<Arc<dyn CredentialsProvider>>,
    client_key: Option<ClientKey>,
    /// The calling environment's loop driver (uv.rs): the client's sockets and timers run on
    /// the JavaScript thread's own loop.
    pub(crate) driver: Option<Arc<kmskit::LoopDriver>>,
}

impl Extra {
    pub(crate) fn new(provider: Option<&NativeProvider>, key: Option<&NativeClientKey>) -> Extra {
        Extra {
            provider: provider.map(|p| Arc::clone(&p.provider)),
            client_key: key.map(|k| k.key.clone()),
            driver: None,
        }
    }

    pub(crate) fn apply(
        self,
        mut b: ClientConfigBuilder,
        instance_endpoint: Option<String>,
        route: Option<String>,
    ) -> kmskit::Result<ClientConfigBuilder> {
        if let Some(p) = self.provider {
            b = b.credentials_provider(p);
        }
        if let Some(k) = self.client_key {
            b = b.client_key(k);
        }
        if let Some(e) = instance_endpoint {
            b = b.instance_endpoint(e);
        }
        if let Some(r) = route {
            b = b.route(r.parse()?);
        }
        if let Some(d) = self.driver {
            b = b.loop_driver(d);
        }
        Ok(b)
    }
}
