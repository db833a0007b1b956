//! The `Workspace` type: the Seam workspace an API key acts in.

use async_graphql::{Object, ID};

use crate::seam::wire;

/// The Seam workspace the API key acts in (Seam's `workspaces/get`).
pub(super) struct Workspace(pub wire::Workspace);

/// The Seam workspace the API key acts in.
#[Object]
impl Workspace {
    /// Seam's workspace id; `workspaceId` on devices, codes and status changes.
    async fn id(&self) -> ID {
        ID(self.0.workspace_id.clone())
    }
    /// The workspace's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The company the workspace belongs to, when set.
    async fn company_name(&self) -> Option<&str> {
        self.0.company_name.as_deref()
    }
    /// True for a sandbox workspace (virtual devices, simulate routes).
    async fn is_sandbox(&self) -> bool {
        self.0.is_sandbox
    }
    /// True when Seam has suspended the workspace.
    async fn is_suspended(&self) -> bool {
        self.0.is_suspended
    }
}
