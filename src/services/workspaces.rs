//! The caller's Seam workspace (`workspaces/get`). Not cached: one call, asked for rarely.

use crate::error::{GatewayError, GatewayResult};
use crate::seam::wire::Workspace;
use crate::seam::{ApiKey, SeamClient};

#[derive(Clone)]
pub(crate) struct WorkspaceService {
    client: SeamClient,
}

impl WorkspaceService {
    pub(crate) fn new(client: SeamClient) -> Self {
        Self { client }
    }

    /// The workspace the key acts in.
    pub(crate) async fn current(&self, key: &ApiKey) -> GatewayResult<Workspace> {
        self.client
            .get_workspace(key)
            .await
            .map_err(GatewayError::from)
    }
}
