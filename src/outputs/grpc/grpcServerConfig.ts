// The `grpc` section (Falco's keys): where the server listens, and for a
// network address the PEM files of mutual TLS, which Falco requires there.
import { ConfigError, type ConfigTree, getBool, getString } from '../../config';

export const DEFAULT_GRPC_BIND_ADDRESS = 'unix:///run/vigil/vigil.sock';

export interface GrpcServerConfig {
  bindAddress: string;
  /** TCP only: PEM files of the server key, its certificate chain, and the CAs client certificates must chain to */
  privateKey: string;
  certChain: string;
  rootCerts: string;
}

export function grpcServerConfig(config: ConfigTree): GrpcServerConfig | undefined {
  if (!getBool(config, 'grpc.enabled', false)) return undefined;
  const c: GrpcServerConfig = {
    bindAddress: getString(config, 'grpc.bind_address', DEFAULT_GRPC_BIND_ADDRESS).trim(),
    privateKey: getString(config, 'grpc.private_key', ''),
    certChain: getString(config, 'grpc.cert_chain', ''),
    rootCerts: getString(config, 'grpc.root_certs', ''),
  };
  if (c.bindAddress === '') throw new ConfigError('grpc.bind_address: empty (grpc is enabled)');
  if (!isUnix(c.bindAddress)) {
    for (const k of ['private_key', 'cert_chain', 'root_certs'] as const) {
      const v = k === 'private_key' ? c.privateKey : k === 'cert_chain' ? c.certChain : c.rootCerts;
      if (v === '') throw new ConfigError(`grpc.${k}: needed for a network bind_address (${c.bindAddress}): the gRPC server on TCP requires mutual TLS`);
    }
  }
  return c;
}

export function isUnix(address: string): boolean {
  return address.startsWith('unix:');
}

