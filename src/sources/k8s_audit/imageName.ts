// The repository part of a container image reference: the reference without
// its digest (`@sha256:...`) and tag (`:1.25`). A colon before the last slash
// belongs to a registry port (`localhost:5000/app`), not to a tag.

export function imageRepository(image: string): string {
  let s = image;
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) s = s.slice(0, colon);
  return s;
}
