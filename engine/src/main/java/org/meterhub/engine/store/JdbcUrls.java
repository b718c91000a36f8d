package org.meterhub.engine.store;

import java.util.regex.Pattern;

/** Small helpers for JDBC URLs. */
final class JdbcUrls {

    /** {@code password=...}, {@code sslpassword=...} and the like, as URL parameters. */
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&;][a-z_]*password=)[^&;]*");
    /** {@code //user:secret@host}. */
    private static final Pattern USER_INFO = Pattern.compile("//([^/@?:]*):[^/@?]*@");

    private JdbcUrls() {
    }

    /** The URL with every password replaced by {@code ***}; safe for logs and messages. */
    static String redact(String url) {
        if (url == null) {
            return "null";
        }
        String s = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(s).replaceAll("//$1:***@");
    }
}
