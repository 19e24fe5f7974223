import { describe, expect, it } from "vitest";
import { parseDatabaseUrl, redactUrl } from "../../../src/config/database-url.js";
import { scrubPassword } from "../../../src/util/redact.js";
import { ConfigError } from "../../../src/errors.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("parseDatabaseUrl: sqlite", () => {
  it.each([
    ["sqlite:tidemark.db", "tidemark.db"],
    ["sqlite:./data/app.db", "./data/app.db"],
    ["sqlite:/var/lib/app.db", "/var/lib/app.db"],
    ["sqlite:///relative/path.db", "relative/path.db"],
    ["sqlite:////abs/path.db", "/abs/path.db"],
    ["sqlite://file.db", "file.db"],
    ["sqlite+pysqlite:///x.db", "x.db"],
    ["sqlite::memory:", ":memory:"],
    ["sqlite://", ":memory:"],
    ["sqlite:", ":memory:"],
    ["sqlite:///:memory:", ":memory:"],
  ])("%s → path %s", (raw, path) => {
    const url = parseDatabaseUrl(raw);
    expect(url).toEqual({ dialect: "sqlite", raw, redacted: raw, path, params: {} });
  });

  it("keeps query parameters apart from the path", () => {
    expect(parseDatabaseUrl("sqlite:///app.db?mode=ro")).toMatchObject({ path: "app.db", params: { mode: "ro" } });
  });
});

describe("parseDatabaseUrl: postgres", () => {
  it("reads every part and decodes user and password", () => {
    const raw = "postgres://app%40corp:p%40ss%3Aw%2Frd@db.example.com:6543/my%20db?sslmode=require&application_name=x";
    expect(parseDatabaseUrl(raw)).toEqual({
      dialect: "postgres",
      raw,
      redacted: "postgres://app%40corp:***@db.example.com:6543/my%20db?sslmode=require&application_name=x",
      host: "db.example.com",
      port: 6543,
      user: "app@corp",
      password: "p@ss:w/rd",
      database: "my db",
      params: { sslmode: "require", application_name: "x" },
    });
  });

  it.each(["postgres", "postgresql", "postgresql+psycopg2", "postgresql+asyncpg", "POSTGRESQL"])(
    "accepts the %s scheme",
    (scheme) => {
      const url = parseDatabaseUrl(`${scheme}://u@h/d`);
      expect(url).toMatchObject({ dialect: "postgres", user: "u", host: "h", database: "d" });
      expect(url.port).toBeUndefined();
      expect(url.password).toBeUndefined();
    },
  );

  it("keeps an unencoded @, / or # of a password inside the password", () => {
    const url = parseDatabaseUrl("postgres://u:p@s/s#x@h:5432/d?sslmode=disable");
    expect(url).toMatchObject({ user: "u", password: "p@s/s#x", host: "h", port: 5432, database: "d" });
    expect(url.params).toEqual({ sslmode: "disable" });
    expect(url.redacted).toBe("postgres://u:***@h:5432/d?sslmode=disable");
  });

  it("reads a socket directory from ?host= and from an encoded host", () => {
    expect(parseDatabaseUrl("postgres:///db?host=/var/run/postgresql")).toEqual({
      dialect: "postgres",
      raw: "postgres:///db?host=/var/run/postgresql",
      redacted: "postgres:///db?host=/var/run/postgresql",
      socket: "/var/run/postgresql",
      database: "db",
      params: {},
    });
    expect(parseDatabaseUrl("postgresql://u@%2Fvar%2Frun%2Fpostgresql/db")).toMatchObject({
      socket: "/var/run/postgresql",
      user: "u",
      database: "db",
    });
    expect(parseDatabaseUrl("postgresql://u@%2Fvar%2Frun%2Fpostgresql/db").host).toBeUndefined();
  });

  it("reads IPv6 hosts", () => {
    expect(parseDatabaseUrl("postgres://[::1]:5433/d")).toMatchObject({ host: "::1", port: 5433, database: "d" });
  });

  it("takes a password from ?password= and redacts it", () => {
    const url = parseDatabaseUrl("postgres://u@h/d?password=s3cr3t&sslmode=disable");
    expect(url.password).toBe("s3cr3t");
    expect(url.params).toEqual({ sslmode: "disable" });
    expect(url.redacted).toBe("postgres://u@h/d?password=***&sslmode=disable");
  });

  it("leaves the database undefined when the path is empty", () => {
    const url = parseDatabaseUrl("postgres://h:5432");
    expect(url).toMatchObject({ host: "h", port: 5432 });
    expect(url.database).toBeUndefined();
    expect(url.user).toBeUndefined();
  });
});

describe("parseDatabaseUrl: mysql", () => {
  it.each(["mysql", "mysql+pymysql", "mysql+mysqldb", "mariadb", "mariadb+mariadbconnector"])(
    "accepts the %s scheme as the mysql dialect",
    (scheme) => {
      expect(parseDatabaseUrl(`${scheme}://root:pw@127.0.0.1:3307/app?charset=utf8mb4`)).toMatchObject({
        dialect: "mysql",
        user: "root",
        password: "pw",
        host: "127.0.0.1",
        port: 3307,
        database: "app",
        params: { charset: "utf8mb4" },
        redacted: `${scheme}://root:***@127.0.0.1:3307/app?charset=utf8mb4`,
      });
    },
  );

  it("reads ?unix_socket=", () => {
    const url = parseDatabaseUrl("mysql://root@localhost/app?unix_socket=/run/mysqld/mysqld.sock&charset=utf8");
    expect(url).toMatchObject({ socket: "/run/mysqld/mysqld.sock", host: "localhost", params: { charset: "utf8" } });
  });
});

describe("parseDatabaseUrl: errors never quote the URL", () => {
  it("lists the supported forms for an unknown scheme", () => {
    const error = thrown(() => parseDatabaseUrl("oracle://scott:tiger@h/orcl"));
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('Unsupported database URL scheme "oracle:"');
    for (const form of ["sqlite:PATH", "sqlite:////absolute/path", "postgresql+DRIVER://", "mysql+DRIVER://", "mariadb://"]) {
      expect(message).toContain(form);
    }
    expect(message).not.toContain("tiger");
    expect((error as ConfigError).exitCode).toBe(2);
  });

  it("refuses a URL without a scheme", () => {
    expect(() => parseDatabaseUrl("tidemark.db")).toThrow(/has no scheme/);
  });

  it("refuses a bad port without showing the password fragment", () => {
    const error = thrown(() => parseDatabaseUrl("postgres://user:hunter2@h:99999/d"));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/invalid port/);
    expect((error as Error).message).not.toContain("hunter2");
  });

  it("refuses a malformed escape in the password without quoting it", () => {
    const error = thrown(() => parseDatabaseUrl("mysql://root:abc%zzdef@h/d"));
    expect((error as Error).message).toBe("The mysql: database URL has a malformed percent-escape in its password.");
  });

  it("refuses an unencoded ? in a password without echoing it", () => {
    const error = thrown(() => parseDatabaseUrl("postgres://u:pa@ss?word@h/d"));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      "The postgres: database URL cannot be read: percent-encode special characters (such as ? @ / #) in the user name and password.",
    );
  });

  it("refuses a server URL without //", () => {
    expect(() => parseDatabaseUrl("postgres:db")).toThrow('must start with "postgres://"');
  });
});

describe("redactUrl", () => {
  it("masks the password as typed and leaves the rest", () => {
    expect(redactUrl("mysql+pymysql://root:pa%24%24@db:3306/x")).toBe("mysql+pymysql://root:***@db:3306/x");
    expect(redactUrl("postgres://u@h/d")).toBe("postgres://u@h/d");
    expect(redactUrl("sqlite:app.db")).toBe("sqlite:app.db");
  });

  it("masks URLs that do not parse", () => {
    expect(redactUrl("oracle://scott:tiger@h/orcl")).toBe("oracle://scott:***@h/orcl");
    expect(redactUrl("postgres://u:secretpw@h:notaport/d")).toBe("postgres://u:***@h:notaport/d");
  });
});

describe("scrubPassword", () => {
  it("removes decoded, encoded and typed spellings of the password", () => {
    const url = parseDatabaseUrl("postgres://u:p%40ssword!@h/d");
    const text = "failed for p@ssword! (p%40ssword!) and postgres://u:p%40ssword!@h/d";
    expect(scrubPassword(text, url)).toBe("failed for *** (***) and postgres://u:***@h/d");
  });

  it("masks a very short password only where it stands alone", () => {
    const url = parseDatabaseUrl("postgres://u:ab@h/d");
    expect(scrubPassword("table ab, label abc", url)).toBe("table ***, label abc");
  });
});
