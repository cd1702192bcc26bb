import { DomainError } from './errors.js';

/**
 * Who may do what (DESIGN §9), as pure rules: a principal, and the allow-list that says in which
 * projects it may manage environments. How a request becomes a principal is the identity port's
 * business (api/identity/); services ask this module whether the principal may act.
 */

export interface Principal {
  /** `user:alice@example.com`, `serviceAccount:ci@p.iam.gserviceaccount.com`, `token:local`, `anonymous`. */
  id: string;
  email?: string;
  /**
   * The Google Workspace / Cloud Identity domain of a user account (the ID token's `hd` claim).
   * `domain:` entries match it, not the email's suffix: any Google account may use any address.
   */
  hostedDomain?: string;
}

/**
 * The allow-list: entries `user:…`, `serviceAccount:…`, `domain:…`, each optionally limited to one
 * project with a `project-id/` prefix.
 */
export class AccessPolicy {
  private readonly entries: { project?: string; member: string }[];

  constructor(entries: string[] | 'allow-all') {
    this.entries = entries === 'allow-all' ? [{ member: '*' }] : entries.map((e) => {
      const slash = e.indexOf('/');
      return slash > 0 ? { project: e.slice(0, slash), member: e.slice(slash + 1) } : { member: e };
    });
  }

  private matches(principal: Principal, member: string): boolean {
    if (member === '*') return true;
    if (member.startsWith('domain:')) return principal.hostedDomain?.toLowerCase() === member.slice(7).toLowerCase();
    return member.toLowerCase() === principal.id.toLowerCase();
  }

  /** Allowed in at least one project: may call the API at all. */
  allowsAnything(principal: Principal): boolean {
    return this.entries.some((e) => this.matches(principal, e.member));
  }

  allowsProject(principal: Principal, project: string): boolean {
    return this.entries.some((e) => (e.project === undefined || e.project === project) && this.matches(principal, e.member));
  }

  /** Projects the principal may list; `all` when some entry has no project. */
  visibleProjects(principal: Principal): 'all' | string[] {
    const mine = this.entries.filter((e) => this.matches(principal, e.member));
    if (mine.some((e) => e.project === undefined)) return 'all';
    return [...new Set(mine.map((e) => e.project!))];
  }

  assertCaller(principal: Principal): void {
    if (!this.allowsAnything(principal)) throw new DomainError('PERMISSION_DENIED', `${principal.id} is not allowed to use this API`);
  }

  assertProject(principal: Principal, project: string): void {
    if (!this.allowsProject(principal, project)) {
      throw new DomainError('PERMISSION_DENIED', `${principal.id} may not manage environments in project ${project}`);
    }
  }
}
