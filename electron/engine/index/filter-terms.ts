// The vocabulary of the run search syntax: what a parsed filter and an orderBy term look like,
// the entities and attributes an identifier may name, and which operators each one takes. The
// lexer, the identifier reader and both parsers (filter-parser.ts lists them) share these.
import { ENTITY_PREFIX } from '../../../common/filter-syntax.ts';

export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Operator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'NOT LIKE'
  | 'NOT ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

export interface Identifier {
  entity: Entity;
  /** For attributes: the canonical name (aliases such as `created` resolved). */
  key: string;
  position: number;
  length: number;
}

export interface Comparison extends Identifier {
  type: 'comparison';
  op: Operator;
  /** number for metrics / numeric attributes, string otherwise, list for IN, null for IS NULL. */
  value: number | string | string[] | null;
  /** Range of the whole comparison (identifier through value). */
  span: { position: number; length: number };
}

export type FilterNode =
  | Comparison
  | { type: 'and'; items: FilterNode[] }
  | { type: 'or'; items: FilterNode[] }
  | { type: 'not'; item: FilterNode };

export interface OrderTerm {
  entity: Exclude<Entity, 'dataset'>;
  key: string;
  desc: boolean;
}

/** Run attributes: MLflow's RunInfo searchable attributes plus lifecycle_stage and experiment_id. */
export const RUN_ATTRIBUTES = {
  run_id: 'string',
  run_name: 'string',
  status: 'string',
  start_time: 'number',
  end_time: 'number',
  user_id: 'string',
  artifact_uri: 'string',
  lifecycle_stage: 'string',
  experiment_id: 'string',
} as const;
export type RunAttribute = keyof typeof RUN_ATTRIBUTES;

/** SearchUtils._ALTERNATE_NUMERIC_ATTRIBUTES / _ALTERNATE_STRING_ATTRIBUTES. */
export const ATTRIBUTE_ALIASES: Record<string, RunAttribute> = {
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
};

export const DATASET_FIELDS = ['name', 'digest', 'context'] as const;

export const PREFIXES: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

export const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL', 'ASC', 'DESC']);

const NUMERIC_OPS: readonly Operator[] = ['=', '!=', '<', '<=', '>', '>=', 'IS NULL', 'IS NOT NULL'];
const STRING_OPS: readonly Operator[] = [
  '=',
  '!=',
  'LIKE',
  'ILIKE',
  'NOT LIKE',
  'NOT ILIKE',
  'IN',
  'NOT IN',
  'IS NULL',
  'IS NOT NULL',
];
const DATASET_OPS: readonly Operator[] = ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN'];

/** Plural, user-facing name of an entity, as written in filters. */
export function entityLabel(entity: Entity): string {
  return entity === 'dataset' ? 'dataset' : ENTITY_PREFIX[entity];
}

export function operatorsFor(entity: Entity, key: string): readonly Operator[] {
  if (entity === 'metric') return NUMERIC_OPS;
  if (entity === 'dataset') return DATASET_OPS;
  if (entity === 'attribute' && RUN_ATTRIBUTES[key as RunAttribute] === 'number') return NUMERIC_OPS;
  return STRING_OPS;
}

export function takesNumber(entity: Entity, key: string): boolean {
  return entity === 'metric' || (entity === 'attribute' && RUN_ATTRIBUTES[key as RunAttribute] === 'number');
}
