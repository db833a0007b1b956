/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A point in time, ISO 8601 (RFC 3339): any offset on input, UTC with milliseconds on output. */
  DateTime: { input: string; output: string; }
};

/** A PIN code on a lock, managed through Seam: ongoing, or time-bound between `startsAt` and `endsAt`. */
export type AccessCode = {
  __typename?: 'AccessCode';
  /** The PIN itself (digits). Null while Seam is still choosing it. */
  code?: Maybe<Scalars['String']['output']>;
  /** Key shared by codes created together by `createLinkedAccessCodes`; null for unlinked codes. */
  commonCodeKey?: Maybe<Scalars['String']['output']>;
  /** When the code was created in Seam. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /**
   * The device the code is on. Loaded in one batch with every other device of the request.
   * Null (with a NOT_FOUND error at this path) only if the device has vanished upstream.
   */
  device?: Maybe<Device>;
  /** Id of the device the code is on. */
  deviceId: Scalars['ID']['output'];
  /** End of the window of a time-bound code; null for ongoing codes. */
  endsAt?: Maybe<Scalars['DateTime']['output']>;
  /** Problems setting or keeping the code on the lock; empty when healthy. */
  errors: Array<SeamIssueError>;
  /** Seam's access code id (`access_code_id`). */
  id: Scalars['ID']['output'];
  /** True when a backup code from the lock's pool can replace this one if it fails. */
  isBackupAccessCodeAvailable: Scalars['Boolean']['output'];
  /** True when changes made outside Seam (e.g. in the lock's app) are allowed to stand. */
  isExternalModificationAllowed: Scalars['Boolean']['output'];
  /** True for codes managed through Seam (always, for codes this API returns). */
  isManaged: Scalars['Boolean']['output'];
  /** True for an offline (algorithmic) code. */
  isOfflineAccessCode: Scalars['Boolean']['output'];
  /** True for a code that works once. */
  isOneTimeUse: Scalars['Boolean']['output'];
  /** True when the lock holds the code natively scheduled ahead of its window. */
  isScheduledOnDevice?: Maybe<Scalars['Boolean']['output']>;
  /** True while Seam waits for the lock's provider to assign the PIN. */
  isWaitingForCodeAssignment?: Maybe<Scalars['Boolean']['output']>;
  /** The linked group this code belongs to; null for unlinked codes. */
  linkedCodeGroup?: Maybe<LinkedCodeGroup>;
  /** The code's name, as shown in Seam and, where the lock supports it, on the lock. */
  name?: Maybe<Scalars['String']['output']>;
  /** Changes queued but not yet on the lock. */
  pendingMutations: Array<PendingMutation>;
  /** The backup code that replaced this one, if one was pulled. */
  pulledBackupAccessCodeId?: Maybe<Scalars['ID']['output']>;
  /** Start of the window of a time-bound code; null for ongoing codes. */
  startsAt?: Maybe<Scalars['DateTime']['output']>;
  /** Where the code is in its life on the lock; `SET` means the PIN works. */
  status: AccessCodeStatus;
  /**
   * What happened to the code, oldest first, a page at a time (Seam's
   * `access_codes/get_timeline`; at most 200 per page).
   */
  timeline: TimelineEventConnection;
  /** Ongoing or time-bound. */
  type: AccessCodeType;
  /** Warnings, e.g. `delay_in_setting_on_device`. */
  warnings: Array<SeamIssueWarning>;
  /** The Seam workspace the code belongs to. */
  workspaceId?: Maybe<Scalars['ID']['output']>;
};


/** A PIN code on a lock, managed through Seam: ongoing, or time-bound between `startsAt` and `endsAt`. */
export type AccessCodeTimelineArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of access codes. */
export type AccessCodeConnection = {
  __typename?: 'AccessCodeConnection';
  /** The items with their cursors. */
  edges: Array<AccessCodeEdge>;
  /** The items alone, for clients that need no cursors. */
  nodes: Array<AccessCode>;
  /** Whether more items follow, and the cursor to fetch them. */
  pageInfo: PageInfo;
};

/** One of the access codes of a page, with the cursor to resume after it. */
export type AccessCodeEdge = {
  __typename?: 'AccessCodeEdge';
  /** Pass as `after` to continue after this item. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: AccessCode;
};

/** Where a code is in its life on the lock. */
export type AccessCodeStatus =
  /** Being removed from the lock (window over, or deleted). */
  | 'REMOVING'
  /** On the lock: the PIN works. */
  | 'SET'
  /** Being programmed onto the lock. */
  | 'SETTING'
  /** Seam cannot tell, or reported a status this gateway does not know. */
  | 'UNKNOWN'
  /** Not on the lock: a time-bound code before its window, or not yet programmed. */
  | 'UNSET';

/** A change in an access code's status on its lock, as reported by a Seam event. */
export type AccessCodeStatusChange = {
  __typename?: 'AccessCodeStatusChange';
  /**
   * The code as it is now, resolvable like any other access code; null once it has been
   * removed from Seam.
   */
  accessCode?: Maybe<AccessCode>;
  /** Id of the access code that changed. */
  accessCodeId: Scalars['ID']['output'];
  /** Key shared by linked codes (see `createLinkedAccessCodes`); null for unlinked codes. */
  commonCodeKey?: Maybe<Scalars['String']['output']>;
  /** Id of the device (lock) the code is on. */
  deviceId: Scalars['ID']['output'];
  /** Errors reported with the event, e.g. `failed_to_set_on_device`; empty otherwise. */
  errors: Array<SeamIssueError>;
  /** Seam's event id (each event is delivered once, whether it came by webhook or by polling). */
  eventId: Scalars['ID']['output'];
  /** Seam's event type, e.g. `access_code.set_on_device` or `access_code.failed_to_set_on_device`. */
  eventType: Scalars['String']['output'];
  /** When the change happened, per Seam. */
  occurredAt?: Maybe<Scalars['DateTime']['output']>;
  /** The status this gateway last reported for the code; null when unknown (e.g. on creation). */
  previousStatus?: Maybe<AccessCodeStatus>;
  /**
   * The status after this event: `SETTING` or `UNSET` on creation, `SET` once on the lock,
   * `REMOVING` on deletion, `UNSET` once removed from the lock, `SETTING` with a warning on
   * delays; a failure keeps the
   * previous status (or `UNSET`) and carries the error.
   */
  status: AccessCodeStatus;
  /** Warnings reported with the event, e.g. `delay_in_setting_on_device`; empty otherwise. */
  warnings: Array<SeamIssueWarning>;
};

/** Whether a code works until removed or only within a window. */
export type AccessCodeType =
  /** Works from creation until deleted (no `startsAt`/`endsAt`). */
  | 'ONGOING'
  /** Works from `startsAt` to `endsAt`, then is removed from the lock. */
  | 'TIME_BOUND';

/** An asynchronous action Seam performs on a device, such as creating, updating or deleting a code. */
export type ActionAttempt = {
  __typename?: 'ActionAttempt';
  /** What the action is, e.g. `CREATE_ACCESS_CODE`, `UPDATE_ACCESS_CODE`, `DELETE_ACCESS_CODE`. */
  actionType: Scalars['String']['output'];
  /** Why the action failed; null unless `status` is `ERROR`. */
  error?: Maybe<ActionAttemptError>;
  /** Seam's action attempt id; pass it to `actionAttempt(id:)` to follow progress. */
  id: Scalars['ID']['output'];
  /** Pending, success or error. */
  status: ActionAttemptStatus;
};

/** Why an action attempt failed. */
export type ActionAttemptError = {
  __typename?: 'ActionAttemptError';
  /** Seam's explanation. */
  message: Scalars['String']['output'];
  /** Seam's error type. */
  type: Scalars['String']['output'];
};

/** Progress of an action attempt. */
export type ActionAttemptStatus =
  /** The action failed; see `error`. */
  | 'ERROR'
  /** Seam is still carrying out the action. */
  | 'PENDING'
  /** The action completed. */
  | 'SUCCESS';

/** What Seam does when a lock cannot take the group's shared PIN. */
export type BehaviorWhenCodeCannotBeShared =
  /** Give that lock a random PIN of its own; it still joins the group. */
  | 'CREATE_RANDOM_CODE'
  /** Fail the whole request; no code is created (error CODE_CANNOT_BE_SHARED). */
  | 'THROW';

/** A rule a lock imposes on PINs, e.g. `no_zeros` or `cannot_start_with_12`. */
export type CodeConstraint = {
  __typename?: 'CodeConstraint';
  /** Seam's constraint type, e.g. `no_zeros`, `no_ascending_or_descending_sequence`, `name_length`. */
  constraintType: Scalars['String']['output'];
  /** For name constraints: the longest allowed name. */
  maxLength?: Maybe<Scalars['Int']['output']>;
  /** For name constraints: the shortest allowed name. */
  minLength?: Maybe<Scalars['Int']['output']>;
};

/** Input of `convertUnmanagedAccessCode`. */
export type ConvertUnmanagedAccessCodeInput = {
  /** The unmanaged code to manage through Seam from now on. */
  accessCodeId: Scalars['ID']['input'];
  /** Let changes made outside Seam (e.g. in the lock's app) stand once managed. */
  allowExternalModification?: InputMaybe<Scalars['Boolean']['input']>;
  /** Take the code over even if another workspace manages it. */
  force?: InputMaybe<Scalars['Boolean']['input']>;
};

/** Result of `convertUnmanagedAccessCode`. */
export type ConvertUnmanagedAccessCodePayload = {
  __typename?: 'ConvertUnmanagedAccessCodePayload';
  /** The code as a managed code; null while Seam is still converting it. */
  accessCode?: Maybe<AccessCode>;
  /** Id of the converted code (the same id it had as an unmanaged code). */
  convertedAccessCodeId: Scalars['ID']['output'];
};

/** Input of `createAccessCode`. */
export type CreateAccessCodeInput = {
  /** The PIN (digits only, a length the lock supports). Omit it to let Seam choose one. */
  code?: InputMaybe<Scalars['String']['input']>;
  /** The lock to put the code on. It must have `canProgramOnlineAccessCodes: true`. */
  deviceId: Scalars['ID']['input'];
  /** End of the window; must be after `startsAt` and in the future. */
  endsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /**
   * Any string unique to this create (a UUID, say). Sending the same create again with the same
   * key, after a timeout or a lost response, returns the first result instead of making a second
   * code; with a different input it is refused (IDEMPOTENCY_KEY_REUSED). Kept for 24 hours, on
   * every replica when they share Redis; a retry while the first attempt still runs on another
   * replica waits for it (IDEMPOTENCY_KEY_IN_FLIGHT if it does not end in time: retry).
   */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /**
   * Create an offline (algorithmic) code, which the lock accepts without a connection. The lock
   * must have `canProgramOfflineAccessCodes: true`; the code must be time-bound, and its PIN is
   * chosen by the lock's provider (no `code`).
   */
  isOfflineAccessCode?: Scalars['Boolean']['input'];
  /** Offline codes only: the PIN works once. */
  isOneTimeUse?: Scalars['Boolean']['input'];
  /** Offline codes only: how far Seam may round `startsAt`/`endsAt` (hourly- or daily-bound). */
  maxTimeRounding?: InputMaybe<MaxTimeRounding>;
  /** A name for the code, e.g. the guest's name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Length of the PIN Seam chooses when `code` is omitted; must be one the lock supports. */
  preferredCodeLength?: InputMaybe<Scalars['Int']['input']>;
  /** Start of the window; give with `endsAt` for a time-bound code, omit both for an ongoing code. */
  startsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /**
   * Keep a backup code from the lock's pool ready for this code, to pull with
   * `pullBackupAccessCode` if it fails. Time-bound online codes on locks with
   * `supportsBackupAccessCodePool: true` only.
   */
  useBackupAccessCodePool?: Scalars['Boolean']['input'];
};

/** Result of `createAccessCode`. */
export type CreateAccessCodePayload = {
  __typename?: 'CreateAccessCodePayload';
  /** The new code, usually `SETTING` (ongoing) or `UNSET` (time-bound) at first. */
  accessCode: AccessCode;
  /** Seam's action attempt for programming the code, when Seam returns one. */
  actionAttempt?: Maybe<ActionAttempt>;
};

/** Input of `createLinkedAccessCodes` (Seam's `access_codes/create_multiple`). */
export type CreateLinkedAccessCodesInput = {
  /** What to do when a lock cannot take the shared PIN (default `THROW`). */
  behaviorWhenCodeCannotBeShared?: BehaviorWhenCodeCannotBeShared;
  /** A custom shared PIN. Seam then does NOT link the codes: `commonCodeKey` stays null. */
  code?: InputMaybe<Scalars['String']['input']>;
  /** The locks to put codes on, each once. Each must have `canProgramOnlineAccessCodes: true`. */
  deviceIds: Array<Scalars['ID']['input']>;
  /** End of the window. */
  endsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /**
   * Any string unique to this create. Sending it again with the same input returns the first
   * result instead of making more codes; with a different input it is refused
   * (IDEMPOTENCY_KEY_REUSED). Kept for 24 hours, on every replica when they share Redis; a
   * retry while the first attempt still runs on another replica waits for it
   * (IDEMPOTENCY_KEY_IN_FLIGHT if it does not end in time: retry).
   */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** A name for every code. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Length of the shared PIN Seam chooses when `code` is omitted. */
  preferredCodeLength?: InputMaybe<Scalars['Int']['input']>;
  /** Start of the window (with `endsAt`); omit both for ongoing codes. */
  startsAt?: InputMaybe<Scalars['DateTime']['input']>;
};

/** Result of `createLinkedAccessCodes`. */
export type CreateLinkedAccessCodesPayload = {
  __typename?: 'CreateLinkedAccessCodesPayload';
  /** One new code per device. */
  accessCodes: Array<AccessCode>;
  /** The key linking the codes; null when a custom `code` left them unlinked. */
  commonCodeKey?: Maybe<Scalars['String']['output']>;
  /** The group as a whole; null when a custom `code` left the codes unlinked. */
  linkedCodeGroup?: Maybe<LinkedCodeGroup>;
};

/** Input of `deleteAccessCode`. */
export type DeleteAccessCodeInput = {
  /** The code to delete. */
  accessCodeId: Scalars['ID']['input'];
};

/** Result of `deleteAccessCode`. */
export type DeleteAccessCodePayload = {
  __typename?: 'DeleteAccessCodePayload';
  /** Seam's action attempt for removing the code from the lock. */
  actionAttempt?: Maybe<ActionAttempt>;
  /** Id of the deleted code. It shows `REMOVING` until the lock has dropped it. */
  deletedAccessCodeId: Scalars['ID']['output'];
};

/** Input of `deleteUnmanagedAccessCode`. */
export type DeleteUnmanagedAccessCodeInput = {
  /** The unmanaged code to remove from its lock. */
  accessCodeId: Scalars['ID']['input'];
};

/** Result of `deleteUnmanagedAccessCode`. */
export type DeleteUnmanagedAccessCodePayload = {
  __typename?: 'DeleteUnmanagedAccessCodePayload';
  /** Seam's action attempt for removing the code from the lock. */
  actionAttempt?: Maybe<ActionAttempt>;
  /** Id of the deleted code. */
  deletedAccessCodeId: Scalars['ID']['output'];
};

/** A device connected to Seam, usually a smart lock, with its access-code capabilities. */
export type Device = {
  __typename?: 'Device';
  /** The access codes on this device, a page at a time (one `access_codes/list` per page). */
  accessCodes: AccessCodeConnection;
  /** Battery level from 0 to 1, when the device reports one. */
  batteryLevel?: Maybe<Scalars['Float']['output']>;
  /** Whether offline access codes (algorithmic PINs that need no connection) can be created. */
  canProgramOfflineAccessCodes: Scalars['Boolean']['output'];
  /**
   * Whether online access codes (programmed over the network) can be created on this device.
   * Check this before `createAccessCode`; the gateway refuses with CAPABILITY_MISSING otherwise.
   */
  canProgramOnlineAccessCodes: Scalars['Boolean']['output'];
  /** Seam's capability flags, e.g. `access_code`, `lock`, `battery`. */
  capabilitiesSupported: Array<Scalars['String']['output']>;
  /** Further rules the lock imposes on PINs and code names. */
  codeConstraints: Array<CodeConstraint>;
  /** The connected account (the user's account with the lock's brand) the device belongs to. */
  connectedAccountId?: Maybe<Scalars['ID']['output']>;
  /** When the device was added to Seam. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** Seam's device type, e.g. `august_lock`, `schlage_lock`, `yale_lock`. */
  deviceType: Scalars['String']['output'];
  /** The name to show people (`display_name`). */
  displayName: Scalars['String']['output'];
  /** Problems with the device (e.g. `device_offline`); empty when healthy. */
  errors: Array<SeamIssueError>;
  /** Seam's device id (`device_id`). */
  id: Scalars['ID']['output'];
  /** Whether the lock is locked, when it reports it. */
  isLocked?: Maybe<Scalars['Boolean']['output']>;
  /** Whether Seam can currently reach the device (`properties.online`). */
  isOnline: Scalars['Boolean']['output'];
  /** The manufacturer, e.g. `august`, `schlage`, `yale` (`properties.manufacturer`). */
  manufacturer?: Maybe<Scalars['String']['output']>;
  /** How many codes the lock can hold at once, when known. */
  maxActiveCodesSupported?: Maybe<Scalars['Int']['output']>;
  /** The model's display name, e.g. `Smart Lock Pro`. */
  model?: Maybe<Scalars['String']['output']>;
  /** The name the device has in its own app (`properties.name`). */
  name?: Maybe<Scalars['String']['output']>;
  /** PIN lengths the lock accepts; null when the lock states no restriction. */
  supportedCodeLengths?: Maybe<Array<Scalars['Int']['output']>>;
  /** Whether the lock keeps a pool of backup codes (`useBackupAccessCodePool` on create). */
  supportsBackupAccessCodePool: Scalars['Boolean']['output'];
  /**
   * PINs set on this lock outside Seam, a page at a time (one `access_codes/unmanaged/list` per
   * page).
   */
  unmanagedAccessCodes: UnmanagedAccessCodeConnection;
  /** Warnings about the device (e.g. `device_has_flaky_connection`). */
  warnings: Array<SeamIssueWarning>;
  /** The Seam workspace the device belongs to. */
  workspaceId?: Maybe<Scalars['ID']['output']>;
};


/** A device connected to Seam, usually a smart lock, with its access-code capabilities. */
export type DeviceAccessCodesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A device connected to Seam, usually a smart lock, with its access-code capabilities. */
export type DeviceUnmanagedAccessCodesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of devices. */
export type DeviceConnection = {
  __typename?: 'DeviceConnection';
  /** The items with their cursors. */
  edges: Array<DeviceEdge>;
  /** The items alone, for clients that need no cursors. */
  nodes: Array<Device>;
  /** Whether more items follow, and the cursor to fetch them. */
  pageInfo: PageInfo;
};

/** One of the devices of a page, with the cursor to resume after it. */
export type DeviceEdge = {
  __typename?: 'DeviceEdge';
  /** Pass as `after` to continue after this item. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Device;
};

/** A PIN Seam suggests for a lock. */
export type GeneratedCode = {
  __typename?: 'GeneratedCode';
  /**
   * The PIN: digits, of a length and form the lock accepts. Not reserved: pass it as `code` to
   * `createAccessCode` to use it.
   */
  code: Scalars['String']['output'];
  /** The lock the PIN is for. */
  deviceId: Scalars['ID']['output'];
};

/**
 * Access codes on several locks sharing one PIN and one `commonCodeKey`, created by
 * `createLinkedAccessCodes` and moved together by `updateLinkedCodeGroup`.
 */
export type LinkedCodeGroup = {
  __typename?: 'LinkedCodeGroup';
  /** The group's codes, one per device, ordered by device id. */
  accessCodes: Array<AccessCode>;
  /**
   * The shared PIN. Null when the codes differ, e.g. because a lock could not take the shared PIN
   * and got a random one (`behaviorWhenCodeCannotBeShared: CREATE_RANDOM_CODE`).
   */
  code?: Maybe<Scalars['String']['output']>;
  /** The key Seam gave the group (`auto_set_by_create_multiple_<uuid>`). */
  commonCodeKey: Scalars['String']['output'];
  /**
   * The group's devices (one batched lookup). A device that vanished upstream is null at its
   * index, without an error: the group itself still stands.
   */
  devices: Array<Maybe<Device>>;
  /** End of the group's window; null for ongoing groups or if the codes' windows differ. */
  endsAt?: Maybe<Scalars['DateTime']['output']>;
  /** True when any code of the group reports an error. */
  hasErrors: Scalars['Boolean']['output'];
  /** True when every code of the group has the same PIN. */
  isCodeShared: Scalars['Boolean']['output'];
  /** Start of the group's window; null for ongoing groups or if the codes' windows differ. */
  startsAt?: Maybe<Scalars['DateTime']['output']>;
  /** One summary of the codes' statuses. */
  status: LinkedCodeGroupStatus;
  /** Ongoing or time-bound, when all codes agree. */
  type?: Maybe<AccessCodeType>;
};

/** Summary status of a linked group. */
export type LinkedCodeGroupStatus =
  /** At least one code is being removed. */
  | 'REMOVING'
  /** Every code is on its lock: the shared PIN works on every door. */
  | 'SET'
  /** Some codes are on their locks, others are still being set (or waiting for their window). */
  | 'SETTING'
  /** Seam cannot tell the status of at least one code. */
  | 'UNKNOWN'
  /** No code is on its lock yet (e.g. the window has not started). */
  | 'UNSET';

/** How far Seam may move an offline code's window to fit what the lock's provider can encode. */
export type MaxTimeRounding =
  /** Daily-bound: the window is rounded to whole days (Seam's `1day`). */
  | 'ONE_DAY'
  /** Hourly-bound: the window is rounded to whole hours (Seam's `1hour`). */
  | 'ONE_HOUR';

/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type Mutation = {
  __typename?: 'Mutation';
  /** Makes an unmanaged code (a PIN set outside Seam) a managed access code, keeping its id. */
  convertUnmanagedAccessCode: ConvertUnmanagedAccessCodePayload;
  /** Creates an ongoing (no times) or time-bound (`startsAt` + `endsAt`) PIN code on one lock. */
  createAccessCode: CreateAccessCodePayload;
  /**
   * Creates codes sharing one PIN on several locks (Seam's `create_multiple`). Without a custom
   * `code` they are linked by one `commonCodeKey` and can be moved together.
   */
  createLinkedAccessCodes: CreateLinkedAccessCodesPayload;
  /** Deletes a code; Seam removes it from the lock. */
  deleteAccessCode: DeleteAccessCodePayload;
  /** Removes an unmanaged code (a PIN set outside Seam) from its lock. */
  deleteUnmanagedAccessCode: DeleteUnmanagedAccessCodePayload;
  /**
   * Pulls a backup code from the lock's pool to stand in for a time-bound code created with
   * `useBackupAccessCodePool: true` (Seam's `pull_backup_access_code`).
   */
  pullBackupAccessCode: PullBackupAccessCodePayload;
  /**
   * Changes a code's name, PIN or window; converts ongoing <-> time-bound. Fields left out keep
   * their values (the gateway resends a time-bound code's window so it stays time-bound).
   */
  updateAccessCode: UpdateAccessCodePayload;
  /**
   * Moves the window (and optionally renames) every code of a linked group at once (Seam's
   * `update_multiple`), then reads the group back.
   */
  updateLinkedCodeGroup: UpdateLinkedCodeGroupPayload;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationConvertUnmanagedAccessCodeArgs = {
  input: ConvertUnmanagedAccessCodeInput;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationCreateAccessCodeArgs = {
  input: CreateAccessCodeInput;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationCreateLinkedAccessCodesArgs = {
  input: CreateLinkedAccessCodesInput;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationDeleteAccessCodeArgs = {
  input: DeleteAccessCodeInput;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationDeleteUnmanagedAccessCodeArgs = {
  input: DeleteUnmanagedAccessCodeInput;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationPullBackupAccessCodeArgs = {
  input: PullBackupAccessCodeInput;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationUpdateAccessCodeArgs = {
  input: UpdateAccessCodeInput;
};


/**
 * Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
 * and delete unmanaged codes.
 */
export type MutationUpdateLinkedCodeGroupArgs = {
  input: UpdateLinkedCodeGroupInput;
};

/** Pagination state of a connection (forward only, as Seam pages forward only). */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last item; pass it as `after` for the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when more items follow this page. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Always false: pages are fetched forward only. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first item of the page. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** A change Seam has queued for the code but not yet made on the lock. */
export type PendingMutation = {
  __typename?: 'PendingMutation';
  /** When the change was requested. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** Seam's explanation. */
  message?: Maybe<Scalars['String']['output']>;
  /** What is changing: `creating`, `deleting`, `updating_code`, `updating_name`, `updating_time_frame`, ... */
  mutationCode: Scalars['String']['output'];
  /** When Seam plans to make the change, if scheduled. */
  scheduledAt?: Maybe<Scalars['DateTime']['output']>;
};

/** Input of `pullBackupAccessCode`. */
export type PullBackupAccessCodeInput = {
  /** The time-bound code (created with `useBackupAccessCodePool: true`) to replace. */
  accessCodeId: Scalars['ID']['input'];
};

/** Result of `pullBackupAccessCode`. */
export type PullBackupAccessCodePayload = {
  __typename?: 'PullBackupAccessCodePayload';
  /** The original code, with `pulledBackupAccessCodeId` set. */
  accessCode: AccessCode;
  /** The backup code now standing in for it: give its PIN to the guest. */
  backupAccessCode: AccessCode;
};

/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type Query = {
  __typename?: 'Query';
  /** One access code by id. Null with a NOT_FOUND error if this API key cannot see it. */
  accessCode?: Maybe<AccessCode>;
  /**
   * Access codes of one device, or by ids, a page at a time (Seam's `access_codes/list`).
   * Give `deviceId`, `accessCodeIds` or both.
   */
  accessCodes: AccessCodeConnection;
  /** An action attempt by id, to follow an asynchronous mutation to SUCCESS or ERROR. */
  actionAttempt?: Maybe<ActionAttempt>;
  /** One device by id. Null with a NOT_FOUND error if this API key cannot see it. */
  device?: Maybe<Device>;
  /** The devices of the API key's workspace, a page at a time (Seam's `devices/list`). */
  devices: DeviceConnection;
  /**
   * A PIN that fits the lock's lengths and PIN rules, for UIs that suggest one (Seam's
   * `access_codes/generate_code`). Nothing is created or reserved.
   */
  generateCode: GeneratedCode;
  /** A group of linked codes by its `commonCodeKey`. Null with a NOT_FOUND error if no code has it. */
  linkedCodeGroup?: Maybe<LinkedCodeGroup>;
  /**
   * One unmanaged code (a PIN set on a lock outside Seam) by id. Null with a NOT_FOUND error if
   * this API key cannot see it.
   */
  unmanagedAccessCode?: Maybe<UnmanagedAccessCode>;
  /**
   * The unmanaged codes (PINs set outside Seam) of one device, a page at a time (Seam's
   * `access_codes/unmanaged/list`).
   */
  unmanagedAccessCodes: UnmanagedAccessCodeConnection;
  /** The Seam workspace the API key acts in (Seam's `workspaces/get`). */
  workspace: Workspace;
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryAccessCodeArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryAccessCodesArgs = {
  accessCodeIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  after?: InputMaybe<Scalars['String']['input']>;
  deviceId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryActionAttemptArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryDeviceArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryDevicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  deviceIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  deviceType?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  manufacturer?: InputMaybe<Scalars['String']['input']>;
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryGenerateCodeArgs = {
  deviceId: Scalars['ID']['input'];
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryLinkedCodeGroupArgs = {
  commonCodeKey: Scalars['String']['input'];
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryUnmanagedAccessCodeArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
 * workspace; suggest PINs.
 */
export type QueryUnmanagedAccessCodesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  deviceId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * A problem Seam reports on a device or an access code; while an error is present the PIN may not
 * work on the lock.
 */
export type SeamIssueError = {
  __typename?: 'SeamIssueError';
  /** When Seam first reported it. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** Seam's machine-readable code, e.g. `device_offline` or `failed_to_set_on_device`. */
  errorCode: Scalars['String']['output'];
  /** True when the error is about the connected account (e.g. it was disconnected). */
  isConnectedAccountError: Scalars['Boolean']['output'];
  /** True when the error is about the device rather than the code. */
  isDeviceError: Scalars['Boolean']['output'];
  /** Seam's human-readable explanation. */
  message: Scalars['String']['output'];
};

/** Something worth knowing that does not stop the PIN from working, e.g. `delay_in_setting_on_device`. */
export type SeamIssueWarning = {
  __typename?: 'SeamIssueWarning';
  /** When Seam first reported it. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** Seam's human-readable explanation. */
  message: Scalars['String']['output'];
  /** Seam's machine-readable code, e.g. `delay_in_setting_on_device`. */
  warningCode: Scalars['String']['output'];
};

/**
 * Live updates, over WebSocket at `/graphql/ws` (graphql-transport-ws or graphql-ws; the key comes
 * from the `connection_init` payload's `Authorization: Bearer <seam api key>`), or over
 * Server-Sent Events at `/graphql` (graphql-sse; the key comes from the `Authorization` header).
 */
export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Status changes of the caller's access codes, live (Seam webhooks, or polling Seam's events
   * when no webhook feed is configured). The filters combine with AND; without any, every code of
   * the caller's workspace is watched. A subscriber that falls too far behind receives one
   * `SUBSCRIPTION_LAGGED` error saying how many changes it missed, then continues.
   */
  accessCodeStatusChanged: AccessCodeStatusChange;
};


/**
 * Live updates, over WebSocket at `/graphql/ws` (graphql-transport-ws or graphql-ws; the key comes
 * from the `connection_init` payload's `Authorization: Bearer <seam api key>`), or over
 * Server-Sent Events at `/graphql` (graphql-sse; the key comes from the `Authorization` header).
 */
export type SubscriptionAccessCodeStatusChangedArgs = {
  accessCodeId?: InputMaybe<Scalars['ID']['input']>;
  commonCodeKey?: InputMaybe<Scalars['String']['input']>;
  deviceId?: InputMaybe<Scalars['ID']['input']>;
};

/** Who or what caused a timeline event. */
export type TimelineActor = {
  __typename?: 'TimelineActor';
  /** The actor's name to show, when Seam gives one. */
  displayName?: Maybe<Scalars['String']['output']>;
  /** The actor's id (an API key id, a user id), when Seam gives one. */
  id?: Maybe<Scalars['String']['output']>;
  /** The kind of actor. */
  type: TimelineActorType;
};

/** Who or what caused a timeline event. */
export type TimelineActorType =
  /** A request made with an API key. */
  | 'API_KEY'
  /** Someone in the Seam console. */
  | 'CONSOLE_USER'
  /** Something outside Seam (the lock's app, its keypad). */
  | 'EXTERNAL'
  /** An actor type this gateway does not know. */
  | 'OTHER'
  /** Seam itself (scheduling, programming the lock). */
  | 'SYSTEM';

/** One event in a code's life: created, changed, set on the lock, removed, ... */
export type TimelineEvent = {
  __typename?: 'TimelineEvent';
  /** The action attempt behind this entry, if any. */
  actionAttemptId?: Maybe<Scalars['ID']['output']>;
  /** Who or what caused it, when Seam says. */
  actor?: Maybe<TimelineActor>;
  /** What happened, in words (any PIN in it is redacted). */
  description: Scalars['String']['output'];
  /** The Seam event behind this entry, if any (`events/list`). */
  eventId?: Maybe<Scalars['ID']['output']>;
  /** Seam's event type, e.g. `access_code.created`, `access_code.set_on_device`. */
  eventType: Scalars['String']['output'];
  /** Seam's timeline event id. */
  id: Scalars['ID']['output'];
  /** When it happened. */
  occurredAt: Scalars['DateTime']['output'];
};

/** A page of timeline events. */
export type TimelineEventConnection = {
  __typename?: 'TimelineEventConnection';
  /** The items with their cursors. */
  edges: Array<TimelineEventEdge>;
  /** The items alone, for clients that need no cursors. */
  nodes: Array<TimelineEvent>;
  /** Whether more items follow, and the cursor to fetch them. */
  pageInfo: PageInfo;
};

/** One of the timeline events of a page, with the cursor to resume after it. */
export type TimelineEventEdge = {
  __typename?: 'TimelineEventEdge';
  /** Pass as `after` to continue after this item. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: TimelineEvent;
};

/**
 * A PIN set on a lock outside Seam. Convert it with `convertUnmanagedAccessCode` to manage it
 * through Seam, or remove it with `deleteUnmanagedAccessCode`.
 */
export type UnmanagedAccessCode = {
  __typename?: 'UnmanagedAccessCode';
  /** The PIN itself (digits), when the lock reports it. */
  code?: Maybe<Scalars['String']['output']>;
  /** When Seam first saw the code. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** The device the code is on, loaded in one batch with the request's other devices. */
  device?: Maybe<Device>;
  /** Id of the device the code is on. */
  deviceId: Scalars['ID']['output'];
  /** End of the window of a time-bound code. */
  endsAt?: Maybe<Scalars['DateTime']['output']>;
  /** Problems Seam reports on the code. */
  errors: Array<SeamIssueError>;
  /** Seam's access code id; the id stays the same when the code is converted to managed. */
  id: Scalars['ID']['output'];
  /** Always false: Seam does not manage this code. */
  isManaged: Scalars['Boolean']['output'];
  /** The code's name, as the lock or its app has it. */
  name?: Maybe<Scalars['String']['output']>;
  /** Start of the window of a time-bound code. */
  startsAt?: Maybe<Scalars['DateTime']['output']>;
  /** `SET` when the PIN is on the lock, `UNSET` otherwise. */
  status: AccessCodeStatus;
  /** Ongoing or time-bound. */
  type: AccessCodeType;
  /** Warnings Seam reports on the code. */
  warnings: Array<SeamIssueWarning>;
  /** The Seam workspace the code belongs to. */
  workspaceId?: Maybe<Scalars['ID']['output']>;
};

/** A page of unmanaged access codes. */
export type UnmanagedAccessCodeConnection = {
  __typename?: 'UnmanagedAccessCodeConnection';
  /** The items with their cursors. */
  edges: Array<UnmanagedAccessCodeEdge>;
  /** The items alone, for clients that need no cursors. */
  nodes: Array<UnmanagedAccessCode>;
  /** Whether more items follow, and the cursor to fetch them. */
  pageInfo: PageInfo;
};

/** One of the unmanaged access codes of a page, with the cursor to resume after it. */
export type UnmanagedAccessCodeEdge = {
  __typename?: 'UnmanagedAccessCodeEdge';
  /** Pass as `after` to continue after this item. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: UnmanagedAccessCode;
};

/** Input of `updateAccessCode`. Give only what changes. */
export type UpdateAccessCodeInput = {
  /** The code to change. */
  accessCodeId: Scalars['ID']['input'];
  /** New PIN (digits only, a length the lock supports). */
  code?: InputMaybe<Scalars['String']['input']>;
  /** New end; alone, keeps the current start of a time-bound code. */
  endsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** New name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New start; with `endsAt` turns an ongoing code time-bound. Alone, keeps the current end. */
  startsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /**
   * `ONGOING` turns a time-bound code ongoing (clears the window; give no times with it).
   * `TIME_BOUND` needs a window, given here or already on the code.
   */
  type?: InputMaybe<AccessCodeType>;
};

/** Result of `updateAccessCode`. */
export type UpdateAccessCodePayload = {
  __typename?: 'UpdateAccessCodePayload';
  /** The code as Seam holds it after the update. */
  accessCode: AccessCode;
  /** Seam's action attempt for putting the change on the lock. */
  actionAttempt?: Maybe<ActionAttempt>;
};

/** Input of `updateLinkedCodeGroup` (Seam's `access_codes/update_multiple`). */
export type UpdateLinkedCodeGroupInput = {
  /** The group's key. */
  commonCodeKey: Scalars['String']['input'];
  /** New end of every code's window (give with `startsAt`). */
  endsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** New name for every code. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New start of every code's window (give with `endsAt`). */
  startsAt?: InputMaybe<Scalars['DateTime']['input']>;
};

/** Result of `updateLinkedCodeGroup`. */
export type UpdateLinkedCodeGroupPayload = {
  __typename?: 'UpdateLinkedCodeGroupPayload';
  /** The group, read back after the update. */
  linkedCodeGroup: LinkedCodeGroup;
};

/** The Seam workspace the API key acts in. */
export type Workspace = {
  __typename?: 'Workspace';
  /** The company the workspace belongs to, when set. */
  companyName?: Maybe<Scalars['String']['output']>;
  /** Seam's workspace id; `workspaceId` on devices, codes and status changes. */
  id: Scalars['ID']['output'];
  /** True for a sandbox workspace (virtual devices, simulate routes). */
  isSandbox: Scalars['Boolean']['output'];
  /** True when Seam has suspended the workspace. */
  isSuspended: Scalars['Boolean']['output'];
  /** The workspace's name. */
  name: Scalars['String']['output'];
};

export type DevicesQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type DevicesQuery = { __typename?: 'Query', devices: { __typename?: 'DeviceConnection', nodes: Array<{ __typename?: 'Device', id: string, displayName: string, canProgramOnlineAccessCodes: boolean }> } };

export type CreateAccessCodeMutationVariables = Exact<{
  input: CreateAccessCodeInput;
}>;


export type CreateAccessCodeMutation = { __typename?: 'Mutation', createAccessCode: { __typename?: 'CreateAccessCodePayload', accessCode: { __typename?: 'AccessCode', id: string, name?: string | null, status: AccessCodeStatus, createdAt?: string | null } } };

export type AccessCodeStatusChangedSubscriptionVariables = Exact<{
  deviceId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type AccessCodeStatusChangedSubscription = { __typename?: 'Subscription', accessCodeStatusChanged: { __typename?: 'AccessCodeStatusChange', eventType: string, accessCodeId: string, previousStatus?: AccessCodeStatus | null, status: AccessCodeStatus, occurredAt?: string | null } };


export const DevicesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Devices"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"devices"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"canProgramOnlineAccessCodes"}}]}}]}}]}}]} as unknown as DocumentNode<DevicesQuery, DevicesQueryVariables>;
export const CreateAccessCodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateAccessCode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAccessCodeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAccessCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessCode"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]} as unknown as DocumentNode<CreateAccessCodeMutation, CreateAccessCodeMutationVariables>;
export const AccessCodeStatusChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AccessCodeStatusChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"deviceId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessCodeStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"deviceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"deviceId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eventType"}},{"kind":"Field","name":{"kind":"Name","value":"accessCodeId"}},{"kind":"Field","name":{"kind":"Name","value":"previousStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}}]}}]}}]} as unknown as DocumentNode<AccessCodeStatusChangedSubscription, AccessCodeStatusChangedSubscriptionVariables>;