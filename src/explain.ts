/** `evalaudit explain`: one record, step by step. (Filled in below.) */
export interface ExplainOptions {
  format: 'text' | 'markdown';
  inputFormat?: string;
}

export async function explain(file: string, recordId: string, options: ExplainOptions): Promise<string> {
  void file;
  void recordId;
  void options;
  return '';
}
