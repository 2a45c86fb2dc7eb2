package dev.irsa.quarkus.deployment;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * One map per JVM that the test's class loader and the application's see alike: held by an MBean on the platform
 * MBean server (a JDK object both reach), read back as the map itself (no serialisation in the local server). Only
 * JDK-typed values go in (strings, lists, functions). Not system properties: libraries such as Narayana read every
 * system property as a string.
 */
final class SharedState implements DynamicMBean {
    private static final String NAME = "dev.irsa.quarkus.test:type=SharedState";
    private final Map<String, Object> state = new ConcurrentHashMap<>();

    private SharedState() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> get() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName name = new ObjectName(NAME);
            synchronized (server) {
                if (!server.isRegistered(name)) {
                    server.registerMBean(new SharedState(), name);
                }
            }
            return (Map<String, Object>) server.getAttribute(name, "State");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Object getAttribute(String attribute) {
        return state;
    }

    @Override
    public void setAttribute(Attribute attribute) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        return new AttributeList();
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return new MBeanInfo(SharedState.class.getName(), "test state shared across class loaders",
                new MBeanAttributeInfo[] {new MBeanAttributeInfo("State", Map.class.getName(), "the map", true, false,
                        false)}, null, null, null);
    }
}
