package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.IrsaSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No type of an {@code .internal.} package (ours or a library's) appears in what irsa-core's and this module's public
 * API lets a user name: the public and protected constructors, methods and fields of every public type outside those
 * packages, and the types they extend. Internal types are left out of the API compatibility check and may change in
 * any release; one reachable from a stable class would be API all the same.
 */
class InternalTypesOffPublicApiTest {
    /** Exposures accepted on purpose, by {@link #exposures} line, each with why. None today. */
    private static final Map<String, String> ALLOWED = Map.of();

    @Test
    void noPublicSignatureOfCoreOrTheAdapterNamesAnInternalType() {
        Set<String> found = new TreeSet<>();
        for (Class<?> type : publicTypes(IrsaSession.class, IrsaCredentialsProvider.class)) {
            found.addAll(exposures(type));
        }
        Set<String> unexpected = new TreeSet<>(found);
        unexpected.removeAll(ALLOWED.keySet());
        assertThat(unexpected).as("public signatures naming an internal type").isEmpty();
        assertThat(found).as("allow-listed exposures that no longer exist (drop them)").containsAll(ALLOWED.keySet());
    }

    /** The scan itself finds what it looks for: an internal type in a public signature of a test fixture. */
    @Test
    void theScanFindsAnInternalTypeInEachKindOfSignature() {
        assertThat(exposures(Exposing.class)).containsExactlyInAnyOrder(
                Exposing.class.getName() + " extends: dev.irsa.core.internal.RefreshEngine$Counts",
                Exposing.class.getName() + ".field: dev.irsa.core.internal.SessionKey",
                Exposing.class.getName() + ".<init>(SessionRegistry): dev.irsa.core.internal.SessionRegistry",
                Exposing.class.getName() + ".get(): dev.irsa.core.internal.RefreshEngine$Counts",
                Exposing.class.getName() + ".method(Map): dev.irsa.core.internal.SessionRegistry",
                Exposing.class.getName() + ".method(Map): dev.irsa.core.internal.Redaction");
    }

    /** A fixture for the scan: each kind of signature naming an internal type, once. */
    public static class Exposing implements java.util.function.Supplier<dev.irsa.core.internal.RefreshEngine.Counts> {
        public dev.irsa.core.internal.SessionKey field;
        private dev.irsa.core.internal.Redaction hidden;

        public Exposing(dev.irsa.core.internal.SessionRegistry registry) {
        }

        @Override
        public dev.irsa.core.internal.RefreshEngine.Counts get() {
            return null;
        }

        public List<? extends dev.irsa.core.internal.SessionRegistry> method(Map<String, dev.irsa.core.internal.Redaction[]> m) {
            return List.of();
        }

        void packagePrivate(dev.irsa.core.internal.Scheduler scheduler) {
        }
    }

    /**
     * Every public type (its enclosing types public too) outside {@code internal} packages, from the jars or class
     * directories the given classes were loaded from.
     */
    private static List<Class<?>> publicTypes(Class<?>... fromEachOrigin) {
        List<Class<?>> types = new ArrayList<>();
        for (Class<?> origin : fromEachOrigin) {
            for (String name : classNames(origin)) {
                if (internal(packageOf(name)) || name.endsWith("module-info") || name.endsWith("package-info")) {
                    continue;
                }
                Class<?> type;
                try {
                    type = Class.forName(name, false, origin.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
                if (accessible(type)) {
                    types.add(type);
                }
            }
        }
        assertThat(types).as("public types found").hasSizeGreaterThan(10);
        return types;
    }

    private static boolean accessible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> classNames(Class<?> origin) {
        Path where;
        try {
            where = Path.of(origin.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try {
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.walk(where)) {
                    return files.map(where::relativize).map(Path::toString).filter(f -> f.endsWith(".class"))
                            .map(f -> f.substring(0, f.length() - ".class".length()).replace(where.getFileSystem()
                                    .getSeparator(), ".")).collect(Collectors.toList());
                }
            }
            try (JarFile jar = new JarFile(where.toFile())) {
                return jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.startsWith("META-INF"))
                        .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                        .collect(Collectors.toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One line per internal type named by {@code type}'s supertypes or a public or protected member's signature:
     * {@code "Type.member(Parameter, ...): internal.Type"} ({@code <init>} for a constructor), {@code "Type extends:
     * internal.Type"}.
     */
    static Set<String> exposures(Class<?> type) {
        Set<String> found = new TreeSet<>();
        Set<Class<?>> supertypes = new HashSet<>();
        walk(type.getGenericSuperclass(), supertypes);
        Arrays.stream(type.getGenericInterfaces()).forEach(t -> walk(t, supertypes));
        Arrays.stream(type.getTypeParameters()).forEach(t -> walk(t, supertypes));
        supertypes.forEach(c -> found.add(type.getName() + " extends: " + c.getName()));
        for (Field f : type.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                named(type, f.getName(), List.of(f.getGenericType()), found);
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (visible(c.getModifiers()) && !c.isSynthetic()) {
                named(type, "<init>" + parameters(c), signature(c), found);
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                List<Type> s = new ArrayList<>(signature(m));
                s.add(m.getGenericReturnType());
                named(type, m.getName() + parameters(m), s, found);
            }
        }
        return found;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** {@code (SimpleName, ...)}: which overload. */
    private static String parameters(Executable e) {
        return Arrays.stream(e.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    private static List<Type> signature(Executable e) {
        List<Type> s = new ArrayList<>(Arrays.asList(e.getGenericParameterTypes()));
        s.addAll(Arrays.asList(e.getGenericExceptionTypes()));
        s.addAll(Arrays.asList(e.getTypeParameters()));
        return s;
    }

    private static void named(Class<?> type, String member, List<Type> types, Set<String> found) {
        Set<Class<?>> internals = new HashSet<>();
        types.forEach(t -> walk(t, internals));
        internals.forEach(c -> found.add(type.getName() + "." + member + ": " + c.getName()));
    }

    /** Adds every internal class {@code t} names, through arrays, type arguments, bounds and owners. */
    private static void walk(Type t, Set<Class<?>> internals) {
        walk(t, internals, Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    }

    private static void walk(Type t, Set<Class<?>> internals, Set<Type> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        if (t instanceof Class<?> c) {
            if (c.isArray()) {
                walk(c.getComponentType(), internals, seen);
            } else if (internal(c.getPackageName())) {
                internals.add(c);
            }
        } else if (t instanceof ParameterizedType p) {
            walk(p.getRawType(), internals, seen);
            walk(p.getOwnerType(), internals, seen);
            Arrays.stream(p.getActualTypeArguments()).forEach(a -> walk(a, internals, seen));
        } else if (t instanceof WildcardType w) {
            Arrays.stream(w.getUpperBounds()).forEach(b -> walk(b, internals, seen));
            Arrays.stream(w.getLowerBounds()).forEach(b -> walk(b, internals, seen));
        } else if (t instanceof TypeVariable<?> v) {
            Arrays.stream(v.getBounds()).forEach(b -> walk(b, internals, seen));
        } else if (t instanceof GenericArrayType a) {
            walk(a.getGenericComponentType(), internals, seen);
        }
    }

    private static boolean internal(String packageName) {
        return Arrays.asList(packageName.split("\\.")).contains("internal");
    }

    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }
}
