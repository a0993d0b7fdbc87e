// Run ids, experiment ids and MLflow's random run names ("blushing-skink-897"), as
// mlflow/utils/name_utils.py makes them (format doc 1.1), and the default user and source.
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';

const PREDICATES = [
  'able', 'abundant', 'adaptable', 'adorable', 'adventurous', 'agreeable', 'amazing', 'ambitious',
  'amusing', 'auspicious', 'awesome', 'beautiful', 'bedecked', 'bemused', 'bittersweet', 'blushing',
  'bold', 'bouncy', 'brawny', 'bright', 'burly', 'bustling', 'calm', 'capable', 'carefree',
  'caring', 'casual', 'charming', 'chill', 'classy', 'clean', 'clumsy', 'colorful', 'crawling',
  'dapper', 'dashing', 'dazzling', 'debonair', 'defiant', 'delicate', 'delightful', 'efficient',
  'enchanting', 'entertaining', 'enthused', 'exultant', 'fearless', 'flawless', 'fortunate',
  'funny', 'gaudy', 'gentle', 'gifted', 'glamorous', 'grandiose', 'gregarious', 'handsome',
  'hilarious', 'honorable', 'illustrious', 'industrious', 'inquisitive', 'intelligent', 'invincible',
  'judicious', 'kindly', 'languid', 'learned', 'legendary', 'likeable', 'loud', 'luminous',
  'luxuriant', 'lyrical', 'magnificent', 'marvelous', 'melodic', 'merciful', 'monumental',
  'mysterious', 'nebulous', 'nimble', 'omniscient', 'orderly', 'overjoyed', 'peaceful', 'persistent',
  'placid', 'polite', 'popular', 'powerful', 'puzzled', 'rare', 'rebellious', 'receptive',
  'redolent', 'resilient', 'respected', 'righteous', 'rogue', 'salty', 'sassy', 'secretive',
  'sedate', 'selective', 'serious', 'silent', 'sincere', 'skillful', 'smiling', 'sneaky',
  'spiffy', 'stately', 'stylish', 'suave', 'tasteful', 'thoughtful', 'traveling', 'treasured',
  'trusting', 'unequaled', 'unique', 'upbeat', 'useful', 'valuable', 'vaunted', 'victorious',
  'welcoming', 'whimsical', 'wise', 'youthful', 'zealous',
];
const NOUNS = [
  'ant', 'ape', 'asp', 'auk', 'bass', 'bat', 'bear', 'bee', 'bird', 'boar', 'bug', 'calf', 'carp',
  'cat', 'chimp', 'cod', 'colt', 'conch', 'cow', 'crab', 'crane', 'croc', 'crow', 'cub', 'deer',
  'doe', 'dog', 'dolphin', 'donkey', 'dove', 'duck', 'eel', 'elk', 'fawn', 'finch', 'fish', 'flea',
  'fly', 'foal', 'fowl', 'fox', 'frog', 'gnat', 'gnu', 'goat', 'goose', 'grouse', 'grub', 'gull',
  'hare', 'hawk', 'hen', 'hog', 'horse', 'hound', 'jay', 'kit', 'kite', 'koi', 'lamb', 'lark',
  'loon', 'lynx', 'mare', 'midge', 'mink', 'mole', 'moose', 'moth', 'mouse', 'mule', 'newt', 'owl',
  'ox', 'panda', 'penguin', 'perch', 'pig', 'pug', 'quail', 'ram', 'rat', 'ray', 'robin', 'roo',
  'rook', 'seal', 'shad', 'shark', 'sheep', 'shoat', 'shrew', 'shrike', 'shrimp', 'skink', 'skunk',
  'sloth', 'slug', 'smelt', 'snail', 'snake', 'snipe', 'sow', 'sponge', 'squid', 'squirrel', 'stag',
  'steed', 'stoat', 'stork', 'swan', 'tern', 'toad', 'trout', 'turtle', 'vole', 'wasp', 'whale',
  'wolf', 'worm', 'wren', 'yak', 'zebra',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length] as T;
}

export function randomRunName(random: () => number): string {
  return `${pick(random, PREDICATES)}-${pick(random, NOUNS)}-${Math.floor(random() * 1000)}`;
}

export function randomHex(random: (() => number) | undefined, chars: number): string {
  if (!random) return randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars);
  let out = '';
  while (out.length < chars) out += Math.floor(random() * 0x10000).toString(16).padStart(4, '0');
  return out.slice(0, chars);
}

/** uuid4 hex, version nibble included, as `uuid.uuid4().hex`. */
export function runIdFrom(random: (() => number) | undefined): string {
  const h = randomHex(random, 32).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16] as string, 16) & 3] as string;
  return h.join('');
}

/** 18 decimal digits, first one non-zero (MLflow: the first 18 digits of a uuid4 as int). */
export function experimentIdFrom(random: (() => number) | undefined): string {
  const r = random ?? (() => randomBytes(4).readUInt32LE(0) / 0x1_0000_0000);
  let s = String(1 + Math.floor(r() * 9));
  while (s.length < 18) s += String(Math.floor(r() * 10) % 10);
  return s;
}

export function defaultUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function defaultSourceName(): string {
  return process.argv[1] ?? '';
}

export const RUN_ID_RE = /^[a-zA-Z0-9][\w-]{0,255}$/;
