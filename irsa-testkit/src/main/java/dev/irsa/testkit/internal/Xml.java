package dev.irsa.testkit.internal;

/** Builds the small, fixed XML documents STS answers with. */
public final class Xml {
    public static final String STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    private final StringBuilder sb = new StringBuilder(512);

    public Xml open(String name) {
        sb.append('<').append(name).append('>');
        return this;
    }

    public Xml openRoot(String name) {
        sb.append('<').append(name).append(" xmlns=\"").append(STS_NAMESPACE).append("\">\n");
        return this;
    }

    public Xml close(String name) {
        sb.append("</").append(name).append(">\n");
        return this;
    }

    public Xml element(String name, Object value) {
        if (value != null) {
            sb.append('<').append(name).append('>').append(escape(String.valueOf(value))).append("</").append(name).append(">\n");
        }
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    public static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
