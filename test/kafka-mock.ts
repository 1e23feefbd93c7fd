// Placeholder: replaced by the Kafka mock launcher helper (buildKafkaMock / startKafkaMock).
export async function buildKafkaMock(): Promise<string> {
  return '';
}
