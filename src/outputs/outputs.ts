// The alert channels named by the configuration (stdout_output, file_output),
// each getting every alert at or above the configured priority.
import * as fs from 'node:fs';
import { ConfigError, type ConfigTree, get, getBool } from '../config';
import type { Alert } from './alert';
import { type AlertFormatOptions, DEFAULT_FORMAT_OPTIONS, formatAlert } from './alertFormat';
import { LineWriter } from './lineWriter';

export function formatOptionsFrom(config: ConfigTree): AlertFormatOptions {
  return {
    ...DEFAULT_FORMAT_OPTIONS,
    json: getBool(config, 'json_output', false),
    timeIso8601: getBool(config, 'time_format_iso_8601', false),
    includeOutput: getBool(config, 'json_include_output_property', true),
    includeTags: getBool(config, 'json_include_tags_property', true),
    includeMessage: getBool(config, 'json_include_message_property', false),
    includeOutputFields: getBool(config, 'json_include_output_fields_property', true),
  };
}

/** Where formatted alert lines go: a file descriptor's LineWriter, or any other line consumer. */
export interface Channel {
  write(line: string): void;
  flush(): void;
  close(): void;
}

export class Outputs {
  private readonly writers: Channel[] = [];
  readonly format: AlertFormatOptions;

  constructor(config: ConfigTree) {
    this.format = formatOptionsFrom(config);
    if (getBool(config, 'stdout_output.enabled', true)) this.writers.push(new LineWriter(1, false));
    if (getBool(config, 'file_output.enabled', false)) {
      const file = get<unknown>(config, 'file_output.filename', './events.txt');
      if (typeof file !== 'string' || file === '') throw new ConfigError(`file_output.filename: expected a file name, got ${JSON.stringify(file)}`);
      let fd: number;
      try {
        fd = fs.openSync(file, 'a');
      } catch (e) {
        throw new ConfigError(`file_output.filename: cannot open ${file}: ${(e as Error).message}`);
      }
      this.writers.push(new LineWriter(fd, true));
    }
  }

  /** Adds a channel that gets every formatted alert line (also for embedding and benchmarks). */
  addChannel(channel: Channel): void {
    this.writers.push(channel);
  }

  emit(alert: Alert): void {
    if (this.writers.length === 0) return;
    const line = formatAlert(alert, this.format);
    for (const w of this.writers) w.write(line);
  }

  flush(): void {
    for (const w of this.writers) w.flush();
  }

  close(): void {
    for (const w of this.writers) w.close();
  }
}
