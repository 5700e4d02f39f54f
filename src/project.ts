/**
 * The tool's own identity, read from its own package.json (never the consumer's: `--version`
 * of an installed evalaudit must print evalaudit's version). One project URL, from
 * `repository`, builds every link a report gives: rule docs, the tool's home page.
 */
import { packageJson } from './package-root.js';

interface PackageFields {
  name: string;
  version: string;
  homepage?: string;
  repository?: string | { url?: string };
  bugs?: string | { url?: string };
}

const pkg = packageJson<PackageFields>('package.json');

export const toolName: string = pkg.name;
export const toolVersion: string = pkg.version;

/** `git+https://host/owner/repo.git` → `https://host/owner/repo`. */
export function repositoryWebUrl(repository: PackageFields['repository']): string | null {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (!raw) return null;
  const url = raw.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^git:\/\//, 'https://');
  return /^https?:\/\//.test(url) ? url : null;
}

/** The project's web address: the repository, else the homepage without its fragment. */
export const projectUrl: string = repositoryWebUrl(pkg.repository) ?? (pkg.homepage ?? '').replace(/#.*$/, '');

export const homepage: string = pkg.homepage ?? projectUrl;

/** Rule docs are read on the default branch, where rules/<id>.md lives beside its rule. */
const DOCS_BRANCH = 'main';

/** The absolute URL of a rule's documentation (rules/<id>.md in the repository). */
export function ruleDocsUrl(ruleId: string): string {
  return `${projectUrl}/blob/${DOCS_BRANCH}/rules/${encodeURIComponent(ruleId)}.md`;
}

/** Where rule docs live, for a line that names them all (`<rule>` stands for the id). */
export const ruleDocsTemplate = `${projectUrl}/blob/${DOCS_BRANCH}/rules/<rule>.md`;

/** A doc link as metadata holds it: an absolute URL kept, a repository-relative path made absolute. */
export function absoluteDocsUrl(docs: string | undefined, ruleId: string): string {
  if (docs !== undefined && /^https?:\/\//.test(docs)) return docs;
  if (docs !== undefined && docs !== '') return `${projectUrl}/blob/${DOCS_BRANCH}/${docs.split('/').map(encodeURIComponent).join('/')}`;
  return ruleDocsUrl(ruleId);
}
