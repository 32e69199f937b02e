"""`olah-cli` with two answers of the real Hub that olah 0.5.4 gets wrong for local mirrors in offline mode; run by
the hub venv's Python (`.venv-hub/bin/python tests/hub/olah_local.py -c olah.toml`), olah itself left unchanged.

- `GET /api/{models,datasets,spaces}/{org}/{repo}` (repo info without a revision): olah looks only at its upstream
  cache and answers 401 RepoNotFound; here it answers with the mirror's `main` commit, like `.../revision/main`.
- a revision that a local mirror does not have (`/api/.../revision/{rev}`, `/{repo}/resolve/{rev}/...`): olah answers
  401 RepoNotFound; the Hub answers 404 RevisionNotFound, which datasets reports as "Revision ... doesn't exist".
- `GET /api/.../tree/{rev}/{path}` for a folder that is not in the mirror: olah answers 401 RepoNotFound, which
  huggingface_hub turns into RepositoryNotFoundError; the Hub answers 404 EntryNotFound, which callers treat as "no
  such folder" (transformers lists `additional_chat_templates/` on every tokenizer load and fails on the 401).
"""
import os
import sys

import git
import olah.server_api_routes as routes
import olah.server_file_routes as file_routes
from olah.errors import error_entry_not_found_branch, error_revision_not_found
from olah.server import cli
from olah.server_access import build_repo_ref
from olah.server_mirror import _mirror_git_paths


def _mirror_commit(app, repo_ref, rev: str):
    "The sha that `rev` names in a local mirror of `repo_ref`, or None if there is no mirror or no such revision."
    for path in _mirror_git_paths(app, repo_ref):
        if not os.path.isdir(path): continue
        try: return git.Repo(path).commit(rev).hexsha
        except Exception: continue
    return None


_latest = routes.get_latest_commit
_tree = routes.tree_proxy_common
_resolve = routes.resolve_requested_commit


async def get_latest_commit(app, repo, authorization):
    return _mirror_commit(app, repo, 'main') or await _latest(app, repo, authorization)


async def tree_proxy_common(app, **kwargs):
    response = await _tree(app, **kwargs)
    if response.status_code == 401:
        repo_ref = build_repo_ref(kwargs['repo_type'], kwargs['org'], kwargs['repo'])
        if _mirror_commit(app, repo_ref, kwargs['commit']):
            return error_entry_not_found_branch(kwargs['commit'], kwargs['path'])
    return response


async def resolve_requested_commit(app, repo, requested_commit, *args, **kwargs):
    resolved, error = await _resolve(app, repo, requested_commit, *args, **kwargs)
    if error is not None and error.status_code == 401 and _mirror_commit(app, repo, 'main') \
            and not _mirror_commit(app, repo, requested_commit):
        return None, error_revision_not_found(revision=requested_commit)
    return resolved, error


routes.get_latest_commit = get_latest_commit
routes.resolve_requested_commit = file_routes.resolve_requested_commit = resolve_requested_commit
routes.tree_proxy_common = tree_proxy_common

if __name__ == '__main__':
    sys.argv[0] = 'olah-cli'
    sys.exit(cli())
