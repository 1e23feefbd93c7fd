// Placeholder: replaced by the RADOS Gateway launcher (startRgw).
export interface RgwServer { endpoint: string; accessKeyId: string; secretAccessKey: string; stop(): Promise<void> }
export async function startRgw(): Promise<RgwServer> {
  return { endpoint: '', accessKeyId: '', secretAccessKey: '', stop: async () => {} };
}
