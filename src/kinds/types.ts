import type { JsonObject } from '../json.js';
import type { SyntaxCheck } from './syntax.js';

/** A PostHog id: integer for insights, UUID string for variables and hog functions. */
export type RemoteId = string | number;

/**
 * Translates between environment-specific ids and environment-independent keys.
 * Built by the engine from the state bindings and the remote listings of one environment.
 */
export interface RefResolver {
  /** Key of the resource of `kind` whose remote id is `id`, e.g. keyOf('InsightVariable', '0190…') → 'country'. */
  keyOf(kind: string, id: RemoteId): string | undefined;
  /** Remote id bound to `kind/key` in this environment. */
  idOf(kind: string, key: string): RemoteId | undefined;
  /** The remote object of `kind` with `id`, as listed (e.g. to read a variable's `code_name`). */
  remote(kind: string, id: RemoteId): JsonObject | undefined;
  /** Key of the resource of `kind` whose natural key is `natural` (e.g. a variable by code_name). */
  keyByNatural(kind: string, natural: string): string | undefined;
}

/**
 * A place where a spec points at another object: by PostHog's id on the remote side, and in
 * files by key where hogsync manages the kind of the object pointed at (one module,
 * kinds/references.ts, translates both ways). Ids of objects hogsync does not manage stay ids,
 * mapped between environments through `refs:` in hogsync.yaml.
 */
export interface Link {
  /**
   * What is pointed at, as `refs:` names it: `actions`, `cohorts`, `dashboards`, `insights`,
   * `variables`, `integrations`, `color_themes`, `connections`, `users`. A kind whose `refsType`
   * is this name manages those objects.
   */
  type: string;
  /** JSON Pointer inside the spec: the value holding the id or key, or (`entry`) the mapping entry named by it. */
  path: string;
  /** What is there now: an id (a number, or a string in the id format of the kind) or a key. */
  value: string | number;
  /**
   * The mapping entry at `path` is named by the id or key instead of holding it, like an
   * insight's `query.source.variables.<id>`. `idField` is a field of the entry that repeats the
   * id (`variableId`), `naturalField` one that holds the natural key of what it names
   * (`code_name`): PostHog wants them, files leave them out.
   */
  entry?: { idField?: string; naturalField?: string };
  /**
   * The id is the same in every project of an organisation (users): it is mapped through
   * `refs:` only when the environment has a table for the type, and taken as it is otherwise.
   */
  organizationWide?: boolean;
}

/** A reference to a managed resource, by key: a `Link` that holds a key. */
export interface ManagedRef {
  kind: string;
  key: string;
  /** JSON Pointer inside the spec (see Link.path); hogsync mv rewrites the key there. */
  path: string;
}

/** A reference by id (an object hogsync does not manage, or not by key): a `Link` that holds an id. */
export interface ForeignRef {
  /** `actions`, `cohorts`, `dashboards`, `integrations`: the name used in hogsync.yaml `refs:`. */
  type: string;
  id: number | string;
  /** JSON Pointer inside the spec. */
  path: string;
  /** See Link.organizationWide. */
  organizationWide?: boolean;
}

/** A problem `check` found in a spec. */
export interface CheckProblem {
  /** JSON Pointer inside the spec. */
  pointer: string;
  message: string;
  /** Character offset inside the string at `pointer` (embedded code), for an exact line:col. */
  offset?: number;
}

/** What a kind's `check` may use. */
export interface CheckContext {
  syntax: SyntaxCheck;
  /** Keys and natural keys of the files of a kind (e.g. variable code_names). */
  known(kind: string): { keys: Set<string>; naturals: Set<string> };
  /** The spec of another file, for checks that span two files (a tile and its insight's `dashboards`). */
  specOf(kind: string, key: string): JsonObject | undefined;
}

/** A secret value inside a spec (a hog function input whose schema says `secret: true`). */
export interface SecretSlot {
  /** JSON Pointer of the input object, e.g. `/inputs/api_key`. */
  path: string;
  /** Input key, for messages. */
  name: string;
  /** The input must have a value on create. */
  required: boolean;
  /**
   * PostHog keeps this secret encrypted and masks it in answers, so `{secret: true}` keeps
   * what it stores. False where PostHog stores the value in clear and answers with it (a
   * destination's mapping inputs, posthog-api.md §10): hogsync then masks it itself.
   */
  serverKeeps: boolean;
}

/** Operations PostHog offers on a kind beyond CRUD; the CLI offers them where they exist. */
export interface Capabilities {
  /** `POST <apiPath>{id}/invocations/`: `hogsync test` runs a file through PostHog's executor. */
  test: boolean;
  /** `<apiPath>{id}/logs/` and `metrics/totals/`: `hogsync status` and `push --verify`. */
  health: boolean;
  /** `<apiPath>icons/?query=`: `hogsync icons`. */
  icons: boolean;
}

/** A column of `hogsync list` beyond id, name, managed, key and file. */
interface ListColumn {
  /** e.g. `SHORT_ID` */
  header: string;
  /** Field of the raw object, e.g. `short_id`. */
  field: string;
}

/**
 * Everything kind-specific, declared in one object per kind (src/kinds/<kind>.ts) and
 * completed by `defineKind`. The engine (store, plan, apply) only ever reads these fields;
 * adding a kind is a new module plus its registration in src/kinds/index.ts.
 */
export interface KindDef {
  /** Envelope `kind:` value, e.g. `Insight`. */
  kind: string;
  /** Name on the command line, e.g. `insight` in `--kinds insight`. */
  cliName: string;
  /** Folder of its files under the resource dir, e.g. `insights`. */
  folder: string;
  /** Collection path relative to `/api/projects/<id>/`, e.g. `insights/`. */
  apiPath: string;
  /** `offset` = DRF LimitOffsetPagination; `page` = PageNumberPagination (insight variables); `none`: one answer holds the whole list (actions). */
  pagination: 'offset' | 'page' | 'none';
  /**
   * Extra list parameters, e.g. `{ full: 'true' }` so hog-function lists carry every field,
   * or `{ order: 'id' }` for a total order where PostHog's default has unordered ties.
   */
  listQuery?: Record<string, string>;
  /** Parameters of a single retrieve, so it answers in the same shape as the list (e.g. `{ basic: 'true' }`). */
  retrieveQuery?: Record<string, string>;
  /** PostHog throttle bucket of its endpoints: `insights` (ClickHouse throttles) or `crud`. */
  rateBucket: 'insights' | 'crud';
  /** API key scope object, e.g. `insight` (for messages about missing scopes). */
  scope: string;
  /** `soft` = PATCH {deleted: true}; `http` = DELETE. */
  deleteStyle: 'soft' | 'http';
  /**
   * `complete`: list rows carry every field a file keeps. `summary`: PostHog lists the kind
   * with a lighter serializer (a dashboard's list rows have no tiles and no filters), so each
   * listed resource is retrieved too.
   */
  listShape: 'complete' | 'summary';
  /** What its links and hogsync.yaml `refs:` call this kind's objects, e.g. `dashboards` (see Link.type). */
  refsType: string;
  /** How PostHog's ids of this kind look: `integer` (insights, dashboards) or `uuid` (variables, alerts). */
  idFormat: 'integer' | 'uuid';
  /**
   * Kinds whose resources this kind's links may name by key (e.g. an insight's dashboards,
   * actions, cohorts and variables). Their remote lists are read with this kind's, so that
   * references are written by key whichever kinds a command is given.
   */
  refersTo: string[];
  /**
   * Of `refersTo`, the kinds written before this one (created, restored, updated) and deleted
   * after it. A kind it refers to that is not here either depends on it in turn (then the link
   * is written in `deferred` fields, once both exist) or stands beside it (actions and cohorts
   * name each other): such resources wait for each other one by one.
   */
  dependsOn: string[];
  /**
   * Fields whose links name resources written after this one (a dashboard's tiles name insights,
   * and insights name their dashboards): a create or update leaves them out, and once those
   * resources exist they are sent by a second request, built by `body` from the spec (ids
   * resolved) and the resource as PostHog then holds it (tile ids are PostHog's).
   * `body` answers undefined when PostHog already holds them as the spec says.
   */
  deferred?: { fields: string[]; body(spec: JsonObject, current: JsonObject): JsonObject | undefined };
  /**
   * Why a listed resource is not for files, if it is not (static cohorts hold people, not
   * configuration): it is listed as unmanaged, never given a key, never written or pushed.
   */
  unmanagedReason?(raw: JsonObject): string | undefined;
  /**
   * Bind an unbound file to the remote with the same natural key without `--adopt`.
   * True where a second resource with that key cannot exist anyway (variable code_name).
   */
  autoAdopt: boolean;
  /** Top-level spec fields that PostHog only accepts on create (later changes need a new resource). */
  createOnly: string[];
  /**
   * Top-level spec fields PostHog's API cannot remove once set, each with why (it ignores the
   * empty value, or refuses it): an update of a file that leaves one out is refused, not sent
   * without it and called done.
   */
  unclearable?: Record<string, string>;
  /**
   * Top-level fields PostHog validates together: when one changes, an update sends all of
   * them (hog-function inputs are checked against inputs_schema).
   */
  updateTogether?: string[][];
  /**
   * Spec fields PostHog takes under another name (an action's `pinned` is sent as `pinned_at`,
   * a time the server sets): an update that changes one sends that field of the body.
   */
  sentAs?: Record<string, string>;
  /**
   * Top-level fields every update carries, because PostHog resets them when they are absent
   * (an insight's `saved`).
   */
  alwaysSend?: string[];
  /** Top-level spec fields in the order files show them; others follow alphabetically. */
  fieldOrder: string[];
  /**
   * Keys that lead inside nested objects, by JSON Pointer with `*` for any one segment (a tile
   * shows what it holds first: `{'/tiles/*': ['insight', 'text']}`); elsewhere identity keys
   * (`kind`, `key`, `name`, `type`, `id`, `label`) lead, then the rest alphabetically.
   */
  leadingKeys?: Record<string, string[]>;
  /** JSON Schema of the spec, in schemas/ (e.g. `insight.schema.json`). */
  schema: string;
  /** Ordering applied after writes, e.g. the execution order of hog-function transformations. */
  reorder?: {
    style: 'rearrange';
    /** The spec field holding the position. */
    field: string;
    /**
     * Which ordering a spec takes part in, if any: PostHog orders each hog-function type of its
     * own (transformation, transformation_log), one rearrange call per type.
     */
    group(spec: JsonObject): string | undefined;
  };

  /** What PostHog offers on this kind beyond CRUD (default: nothing). */
  capabilities: Capabilities;
  /**
   * Optimistic concurrency PostHog offers on updates: `field` is sent with the resource's `from`
   * as this run read it, and PostHog refuses (409) an update to a resource changed since
   * (a hog function's `base_updated_at`). `servedWith` are fields every answer of a PostHog that
   * honours `field` carries (a hog function's `version` and `draft`, which came with it): an
   * answer without them is from an older or self-hosted PostHog that drops `field` unread, and
   * push warns that edits made meanwhile could be overwritten.
   */
  updateGuard?: { field: string; from: string; servedWith: string[] };
  /** What a delete takes with it in PostHog, said in every plan that deletes one (an insight's alerts). */
  deleteNote?: string;
  /** Fields that also identify one resource on its detail route, besides the id (an insight's `short_id`). */
  lookupFields: string[];
  /** Extra columns of `hogsync list`. */
  listColumns: ListColumn[];
  /** What the natural key is called in messages (default `name`; a variable's is `code_name`). */
  naturalKeyName: string;
  /** Plural name for people, e.g. `hog functions` (default: the folder with spaces). */
  label: string;

  /** Remote id of a raw API object. */
  remoteId(raw: JsonObject): RemoteId;
  /** Extra ids worth keeping in state, e.g. `{ short_id: 'AaVQ8Ijw' }`. */
  bindingExtras?(raw: JsonObject): Record<string, string>;
  /** Base for a new key when a remote resource is first pulled (slugged by the engine), e.g. the insight name. */
  keyHint(raw: JsonObject): string;
  /** The name `hogsync list` shows for a raw object (default: its `name`). */
  displayName(raw: JsonObject): string | null;
  /**
   * Identity used to match an unbound file to an existing remote resource (adopt) and to
   * find a resource after an ambiguous create. `raw` is given for the remote side only.
   */
  naturalKey(spec: JsonObject, raw?: JsonObject): string | undefined;
  /**
   * For kinds whose key is PostHog's natural key, fixed when the resource is created (a
   * variable's key is its code_name, which SQL insights use): the natural key a file's key
   * stands for, or undefined when this key cannot be one. Such a key never moves (`hogsync mv`).
   */
  naturalOfKey?(key: string): string | undefined;
  /**
   * For kinds where PostHog derives the natural key from another field, once, at create (a
   * variable's code_name from its name): a create body that makes PostHog derive `natural`,
   * and the update that then gives the file's values. Undefined when `body` derives it already.
   */
  createAs?(body: JsonObject, natural: string): { create: JsonObject; afterwards: JsonObject } | undefined;
  /**
   * Remote object → the fields a file keeps, with references as PostHog holds them (ids). The
   * engine then writes references by key (kinds/references.ts) and calls `normalize`, so
   * this need not be canonical: e.g. it keeps a variable entry's `code_name`, which finds the
   * variable when its id is unknown, and `normalize` drops.
   */
  toSpec(raw: JsonObject): JsonObject;
  /** A spec (a file's, or toSpec's with references by key) → canonical spec: defaults dropped, sets sorted. Idempotent. */
  normalize(spec: JsonObject): JsonObject;
  /**
   * Canonical spec, references already resolved to this environment's ids → request body:
   * cleared fields sent as PostHog's empty value on update.
   */
  toBody(spec: JsonObject, refs: RefResolver, mode: 'create' | 'update'): JsonObject;
  /** JSON Pointers of code strings (Hog, HogQL) to write as block scalars. */
  codePaths(spec: JsonObject): string[];
  /** JSON Pointers of strings in which `${VAR}` is replaced at push time. */
  varPaths(spec: JsonObject): string[];
  /** Secret inputs of a spec. */
  secrets(spec: JsonObject): SecretSlot[];
  /** Every place the spec points at another object (managed or not), in whichever form it holds it. */
  links(spec: JsonObject): Link[];
  /**
   * Offline checks beyond the JSON Schema and the references (which validate checks for every
   * kind): embedded code parses, files agree with each other. `key` is the file's own key.
   */
  check?(spec: JsonObject, ctx: CheckContext, key: string): CheckProblem[];
}

/** What a kind module declares: a KindDef whose members with defaults may be left out. */
export type KindSpec = Omit<
  KindDef,
  'capabilities' | 'lookupFields' | 'listColumns' | 'naturalKeyName' | 'displayName' | 'label' | 'listShape' | 'refersTo'
> &
  Partial<Pick<KindDef, 'lookupFields' | 'listColumns' | 'naturalKeyName' | 'displayName' | 'label' | 'listShape' | 'refersTo'>> & {
    capabilities?: Partial<Capabilities>;
  };
