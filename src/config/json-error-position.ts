/**
 * Where JSON text first goes wrong. Node 20's JSON.parse messages carry no
 * position ("Unexpected token 'o', ...is not valid JSON"), so after a failed
 * parse this small scanner finds the offset to name the line and column.
 * It only runs on text JSON.parse already refused.
 */

class Stop {
  constructor(readonly at: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';

export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const stop = (): never => {
    throw new Stop(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[i] !== char) stop();
    i++;
  };
  const string = (): void => {
    expect('"');
    while (i < text.length) {
      const char = text[i] as string;
      if (char === '"') {
        i++;
        return;
      }
      if (char === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) stop();
          i += 5;
        } else if (ESCAPES.includes(text[i] ?? "")) i++;
        else stop();
      } else if (char < " ") stop();
      else i++;
    }
    stop();
  };
  const sequence = (close: string, item: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[i] === ",") i++;
      else if (text[i] === close) {
        i++;
        return;
      } else stop();
    }
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === "{") {
      sequence("}", () => {
        string();
        expect(":");
        value();
      });
    } else if (char === "[") sequence("]", value);
    else if (char === '"') string();
    else {
      for (const literal of ["true", "false", "null"]) {
        if (text.startsWith(literal, i)) {
          i += literal.length;
          return;
        }
      }
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) stop();
      i = NUMBER.lastIndex;
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) stop();
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}
