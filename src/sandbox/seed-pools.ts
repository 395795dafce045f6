// Word pools for generated persons. Display names carry accents and other scripts; each has an
// ASCII form for the e-mail address.

/** [display, ascii] */
export const FIRST_NAMES: readonly (readonly [string, string])[] = [
  ['Olivia', 'olivia'], ['Liam', 'liam'], ['Emma', 'emma'], ['Noah', 'noah'], ['Amelia', 'amelia'],
  ['Oliver', 'oliver'], ['Sophia', 'sophia'], ['Elijah', 'elijah'], ['Mia', 'mia'], ['Lucas', 'lucas'],
  ['Zoë', 'zoe'], ['José', 'jose'], ['François', 'francois'], ['Søren', 'soren'], ['Łukasz', 'lukasz'],
  ['Björn', 'bjorn'], ['Renée', 'renee'], ['Ayşe', 'ayse'], ['Ngozi', 'ngozi'], ['Chidi', 'chidi'],
  ['Priya', 'priya'], ['Arjun', 'arjun'], ['Mei', 'mei'], ['Hiroshi', 'hiroshi'], ['Yuki', 'yuki'],
  ['Fatima', 'fatima'], ['Omar', 'omar'], ['Ingrid', 'ingrid'], ['Mateo', 'mateo'], ['Valentina', 'valentina'],
  ['Nikolai', 'nikolai'], ['Anaïs', 'anais'], ['Seo-yeon', 'seoyeon'], ['Kwame', 'kwame'], ['Aoife', 'aoife'],
  ['Dmitri', 'dmitri'], ['Lucía', 'lucia'], ['Tomás', 'tomas'], ['Hannah', 'hannah'], ['Jack', 'jack'],
];

export const LAST_NAMES: readonly (readonly [string, string])[] = [
  ['Smith', 'smith'], ['Johnson', 'johnson'], ['Williams', 'williams'], ['Brown', 'brown'], ['Jones', 'jones'],
  ['García', 'garcia'], ['Müller', 'muller'], ['Dubois', 'dubois'], ['Rossi', 'rossi'], ['Nowak', 'nowak'],
  ['Andersson', 'andersson'], ['Okafor', 'okafor'], ['Patel', 'patel'], ['Tanaka', 'tanaka'], ['Kim', 'kim'],
  ['Nguyen', 'nguyen'], ['O’Brien', 'obrien'], ['Yılmaz', 'yilmaz'], ['Kowalski', 'kowalski'], ['Silva', 'silva'],
  ['Hernández', 'hernandez'], ['Ivanova', 'ivanova'], ['Chen', 'chen'], ['Mensah', 'mensah'], ['Larsen', 'larsen'],
  ['Schmidt', 'schmidt'], ['Costa', 'costa'], ['Murphy', 'murphy'], ['Haddad', 'haddad'], ['Novak', 'novak'],
];

export const EMAIL_DOMAINS = [
  'example.com', 'example.org', 'example.net', 'mail.example', 'acme.example', 'globex.example',
  'initech.example', 'umbrella.example', 'hooli.example', 'stark.example',
] as const;

export const COMPANIES = [
  'Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises',
  'Soylent', 'Wonka Industries', 'Tyrell', 'Cyberdyne', 'Aperture Science', 'Pied Piper', 'Vandelay',
] as const;

export const COUNTRIES = [
  'US', 'US', 'US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'SE', 'PL', 'BR', 'IN', 'JP', 'KR', 'NG',
  'CA', 'AU', 'MX', 'TR',
] as const;

export const SIGNUP_SOURCES = [
  'organic', 'google_ads', 'referral', 'product_hunt', 'newsletter', 'partner', 'linkedin',
] as const;

export const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge', 'Mobile Safari', 'Chrome iOS'] as const;

/** Plans with their cumulative weights (free is the most common). */
export const PLANS: readonly (readonly [string, number])[] = [
  ['free', 0.55],
  ['startup', 0.8],
  ['scale', 0.93],
  ['enterprise', 1],
];

export const PLAN_ORDER = ['free', 'startup', 'scale', 'enterprise'] as const;

export function weightedPlan(r: number): string {
  for (const [plan, cumulative] of PLANS) if (r < cumulative) return plan;
  return 'free';
}
