// The operations this client runs. `graphql()` is generated (src/gql/): each call returns a typed
// document, so results and variables are checked against schema.graphql by tsc.
import { graphql } from './gql/index.js';

export const Devices = graphql(`
  query Devices($first: Int) {
    devices(first: $first) {
      nodes {
        id
        displayName
        canProgramOnlineAccessCodes
      }
    }
  }
`);

export const CreateAccessCode = graphql(`
  mutation CreateAccessCode($input: CreateAccessCodeInput!) {
    createAccessCode(input: $input) {
      accessCode {
        id
        name
        status
        createdAt
      }
    }
  }
`);

export const AccessCodeStatusChanged = graphql(`
  subscription AccessCodeStatusChanged($deviceId: ID) {
    accessCodeStatusChanged(deviceId: $deviceId) {
      eventType
      accessCodeId
      previousStatus
      status
      occurredAt
    }
  }
`);
