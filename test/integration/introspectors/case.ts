/** One dialect's side of the introspector suite (../introspectors.test.ts): the schema it reads and what it must report. */
import type { Connection, DialectIntrospector } from "../../../src/dialects/dialect.js";
import type { SchemaModel, TableModel, ViewModel } from "../../../src/dialects/schema-model.js";

export interface Introspected {
  readonly conn: Connection;
  /** The default introspection of the schema. */
  readonly model: SchemaModel;
}

export interface IntrospectorCase {
  readonly introspector: DialectIntrospector;
  /** Statements creating tables `Users "x"`, `other` and `posts` (hostile names, every kind of key), a view `v posts`, trigger `trg_posts`, and tidemark's tables with trigger `trg_log`. */
  readonly schema: readonly string[];
  /** The tables reported by default: tidemark's (and the database's own) left out. */
  readonly tables: readonly string[];
  readonly users: TableModel;
  readonly posts: TableModel;
  readonly views: readonly ViewModel[];
  /** The tables reported with `exclude: ["posts"]` (tidemark's then included). */
  readonly withoutPosts: readonly string[];
  /** tableExists(name, schema) answers. */
  readonly exists: readonly (readonly [name: string, schema: string | undefined, exists: boolean])[];
  /** Tests of what only this dialect has. */
  readonly only: (live: () => Introspected) => void;
}
