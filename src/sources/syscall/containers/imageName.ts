// A container image reference split as Falco splits it:
// `registry:5000/team/app:1.2@sha256:abc` -> repository `registry:5000/team/app`,
// tag `1.2`, digest `sha256:abc`. A colon before the last slash is a registry
// port, not a tag.

export interface ImageParts {
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

export function splitImage(image: string): ImageParts {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1) || undefined;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1) || undefined;
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}

/** `sha256:6f7e2741b66b...` -> `6f7e2741b66b` (Falco's container.image.id is the image hash's first 12 characters) */
export function shortImageId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const colon = id.indexOf(':');
  const hex = colon >= 0 ? id.slice(colon + 1) : id;
  return hex === '' ? undefined : hex.slice(0, 12);
}
