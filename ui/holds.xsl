<?xml version="1.0" encoding="UTF-8"?>
<!--
  holds.xsl: "Gels": the active holds and, for an archivist, a form on
  each to lift it with a reason; the form to place a hold (unit, reason,
  reference, optional end date), with its error next to it; the ended
  holds (lifted, or past their end date), newest first.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>

  <xsl:variable name="decides" select="/*/user/@role = 'archivist'"/>
  <xsl:variable name="ENDED_MAX" select="200"/>

  <xsl:template match="holds" mode="title">Gels</xsl:template>

  <xsl:template match="holds" mode="main">
    <p>Un gel suspend l'élimination d'une unité, de ses unités parentes et de ses sous-unités
      tant qu'il est actif (contentieux, audit, demande d'accès…) : elles ne sont proposées sur
      aucun bordereau, et une élimination déjà approuvée les épargne. Poser et lever un gel
      sont inscrits au journal sous votre nom, avec le motif.</p>

    <xsl:apply-templates select="notice"/>

    <xsl:variable name="active" select="hold[active = 'true']"/>
    <xsl:choose>
      <xsl:when test="$active">
        <table id="active-holds">
          <caption>Gels actifs (<xsl:value-of select="count($active)"/>)</caption>
          <thead>
            <tr>
              <th scope="col">Unité</th>
              <th scope="col">Identifiant</th>
              <th scope="col">Motif</th>
              <th scope="col">Référence</th>
              <th scope="col">Jusqu'au</th>
              <th scope="col">Posé par</th>
              <th scope="col">Le (UTC)</th>
              <xsl:if test="$decides"><th scope="col">Lever le gel</th></xsl:if>
            </tr>
          </thead>
          <tbody>
            <xsl:for-each select="$active">
              <tr data-hold="{id}" data-unit="{unit}">
                <xsl:call-template name="cells"/>
                <xsl:if test="$decides"><td><xsl:call-template name="lift"/></td></xsl:if>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </xsl:when>
      <xsl:otherwise><p id="no-active">Aucun gel actif.</p></xsl:otherwise>
    </xsl:choose>
    <xsl:if test="lift/error and not($active[id = current()/lift/@hold])">
      <p class="error" role="alert" id="lift-error"><xsl:value-of select="lift/error"/></p>
    </xsl:if>

    <xsl:if test="$decides">
      <xsl:variable name="p" select="place"/>
      <form method="post" action="/ui/holds" id="place">
        <xsl:call-template name="csrf"/>
        <fieldset>
          <legend>Poser un gel</legend>
          <xsl:if test="$p/error">
            <p class="error" role="alert" id="place-error"><xsl:value-of select="$p/error"/></p>
          </xsl:if>
          <p><label for="hold-unit">Identifiant de l'unité (obligatoire)</label>
            <input type="text" id="hold-unit" name="unit" required="required" maxlength="100"
                value="{$p/unit}" autocomplete="off" spellcheck="false" aria-describedby="hold-unit-help"/>
            <span id="hold-unit-help" class="help">Tel qu'affiché sur la fiche de l'unité ; ses
              sous-unités et ses unités parentes sont protégées aussi.</span></p>
          <p><label for="hold-reason">Motif du gel (obligatoire)</label>
            <textarea id="hold-reason" name="reason" rows="2" cols="60" required="required" maxlength="2000"><xsl:value-of select="$p/reason"/></textarea></p>
          <p><label for="hold-reference">Référence (dossier contentieux, demande d'audit…)</label>
            <input type="text" id="hold-reference" name="reference" maxlength="200" value="{$p/reference}"/></p>
          <p><label for="hold-until">Fin du gel (facultative)</label>
            <input type="date" id="hold-until" name="until" value="{$p/until}" min="{@date}"
                aria-describedby="hold-until-help"/>
            <span id="hold-until-help" class="help">Sans date, le gel dure jusqu'à ce qu'on le lève.
              Date au format AAAA-MM-JJ si votre navigateur n'affiche pas de calendrier.</span></p>
          <p><button type="submit">Poser le gel</button></p>
        </fieldset>
      </form>
    </xsl:if>

    <xsl:variable name="ended" select="hold[active != 'true']"/>
    <xsl:if test="$ended">
      <table id="ended-holds">
        <caption>Gels levés ou échus (<xsl:value-of select="count($ended)"/><xsl:if test="count($ended) &gt; $ENDED_MAX">, les <xsl:value-of select="$ENDED_MAX"/> plus récents affichés</xsl:if>)</caption>
        <thead>
          <tr>
            <th scope="col">Unité</th>
            <th scope="col">Identifiant</th>
            <th scope="col">Motif</th>
            <th scope="col">Référence</th>
            <th scope="col">Jusqu'au</th>
            <th scope="col">Posé par</th>
            <th scope="col">Le (UTC)</th>
            <th scope="col">Fin</th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="$ended">
            <xsl:sort select="concat(lifted, until)" order="descending"/>
            <xsl:if test="position() &lt;= $ENDED_MAX">
              <tr data-hold="{id}" data-unit="{unit}">
                <xsl:call-template name="cells"/>
                <td class="ended"><xsl:choose>
                  <xsl:when test="lifted">levé le <xsl:call-template name="when"><xsl:with-param name="t" select="lifted"/></xsl:call-template>
                    par <span class="by"><xsl:value-of select="lifted_by"/></span> :
                    <span class="lift-reason"><xsl:value-of select="lift_reason"/></span></xsl:when>
                  <xsl:otherwise>échu le <xsl:value-of select="until"/></xsl:otherwise>
                </xsl:choose></td>
              </tr>
            </xsl:if>
          </xsl:for-each>
        </tbody>
      </table>
    </xsl:if>
  </xsl:template>

  <xsl:template name="cells">
    <th scope="row"><xsl:value-of select="title"/></th>
    <td><a href="/ui/units/{unit}"><code><xsl:value-of select="unit"/></code></a></td>
    <td class="reason"><xsl:value-of select="reason"/></td>
    <td class="reference"><xsl:value-of select="reference"/></td>
    <td><xsl:choose>
      <xsl:when test="until"><xsl:value-of select="until"/></xsl:when>
      <xsl:otherwise>sans date de fin</xsl:otherwise>
    </xsl:choose></td>
    <td class="placed-by"><xsl:value-of select="placed_by"/></td>
    <td><xsl:call-template name="when"><xsl:with-param name="t" select="placed"/></xsl:call-template></td>
  </xsl:template>

  <!-- The lift form of the current hold, with its error if it was just refused. -->
  <xsl:template name="lift">
    <xsl:variable name="mine" select="/*/lift[@hold = current()/id]"/>
    <form method="post" action="/ui/holds/{id}/lift" class="lift">
      <xsl:call-template name="csrf"/>
      <xsl:if test="$mine/error">
        <p class="error" role="alert" id="lift-error"><xsl:value-of select="$mine/error"/></p>
      </xsl:if>
      <label for="lift-{id}">Motif de la levée<span class="sr-only"> du gel sur « <xsl:value-of select="title"/> »</span> (obligatoire)</label>
      <textarea id="lift-{id}" name="reason" rows="2" cols="30" required="required" maxlength="2000"><xsl:value-of select="$mine/reason"/></textarea>
      <button type="submit" class="secondary">Lever le gel<span class="sr-only"> sur « <xsl:value-of select="title"/> »</span></button>
    </form>
  </xsl:template>

  <xsl:template match="notice">
    <p class="notice" role="status" id="notice">
      <xsl:choose>
        <xsl:when test="@placed">
          <xsl:variable name="h" select="../hold[id = current()/@placed]"/>
          Gel posé<xsl:if test="$h"> sur « <xsl:value-of select="$h/title"/> » (<code><xsl:value-of select="$h/unit"/></code>)</xsl:if> :
          cette unité ne sera proposée sur aucun bordereau d'élimination tant qu'il est actif.
        </xsl:when>
        <xsl:otherwise>
          <xsl:variable name="h" select="../hold[id = current()/@lifted]"/>
          Gel levé<xsl:if test="$h"> sur « <xsl:value-of select="$h/title"/> » (<code><xsl:value-of select="$h/unit"/></code>)</xsl:if> :
          l'unité reprend son cours normal, elle pourra être proposée à l'élimination si sa règle le prévoit.
        </xsl:otherwise>
      </xsl:choose>
    </p>
  </xsl:template>

  <!-- "2035-02-01T12:00:00Z" as "2035-02-01 12:00". -->
  <xsl:template name="when">
    <xsl:param name="t"/>
    <xsl:value-of select="substring($t, 1, 10)"/>
    <xsl:if test="string-length($t) &gt; 15"><xsl:text> </xsl:text><xsl:value-of select="substring($t, 12, 5)"/></xsl:if>
  </xsl:template>
</xsl:stylesheet>
